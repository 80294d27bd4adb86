#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# The checks of scripts/check-report.sh on what the browser made of an
# `mmscope report` page (its DOM after the script ran, --dump-dom):
#
#   check-report.py numbers DOM      the tables' numbers = the embedded JSON
#   check-report.py samples DOM      PID:ADDR of up to 3 recorded translations
#   check-report.py translate DOM PID:ADDR
#                                    the walk shown = the recorded translation
#   check-report.py png FILE         the screenshot is not blank
#
# Written apart from the page's script: the present pages per VMA and the
# walk are computed here again from the runs, by other code.
import json
import re
import struct
import sys
import zlib
from html.parser import HTMLParser


class Dom(HTMLParser):
    """The data element's text, and every table: its attributes and cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data = None
        self.tables = []
        self.spans = {}
        self._in_data = False
        self._cell = None
        self._row = None
        self._span = None
        self._ps = []
        self._p = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'script' and a.get('id') == 'mmscope-data':
            self._in_data = True
            self.data = ''
        elif tag == 'table':
            self.tables.append({'attrs': a, 'rows': []})
        elif tag == 'tr' and self.tables:
            self._row = []
        elif tag in ('td', 'th') and self._row is not None:
            self._cell = ''
        elif tag == 'span' and a.get('class') == 'vma-count':
            self._span = ''
        elif tag == 'p':
            self._p = {'class': a.get('class'), 'text': ''}

    def handle_endtag(self, tag):
        if tag == 'script':
            self._in_data = False
        elif tag in ('td', 'th') and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == 'tr' and self._row is not None:
            self.tables[-1]['rows'].append(self._row)
            self._row = None
        elif tag == 'span' and self._span is not None:
            self.spans.setdefault('vma-count', []).append(self._span)
            self._span = None
        elif tag == 'p' and self._p:
            self._ps.append(self._p)
            self._p = None

    def handle_data(self, d):
        if self._in_data:
            self.data += d
        if self._cell is not None:
            self._cell += d
        if self._span is not None:
            self._span += d
        if self._p is not None:
            self._p['text'] += d


def load(path):
    d = Dom()
    with open(path, encoding='utf-8') as f:
        d.feed(f.read())
    if d.data is None:
        sys.exit('no mmscope-data element in ' + path)
    return d, json.loads(d.data)


def tables(d, cls, **attrs):
    out = []
    for t in d.tables:
        if cls not in t['attrs'].get('class', '').split():
            continue
        if all(t['attrs'].get('data-' + k) == str(v) for k, v in attrs.items()):
            out.append(t)
    return out


def h(s):
    return int(s, 16)


def present_pages(vma, runs):
    """Pages of [start, end) the present runs map (4 KiB each)."""
    s, e = h(vma['start']), h(vma['end'])
    n = 0
    for r in runs:
        if r['kind'] not in ('present', 'protnone'):
            continue
        lo, hi = max(s, h(r['start'])), min(e, h(r['end']))
        if lo < hi:
            n += (hi - lo) // 4096
    return n


def numbers(path):
    d, doc = load(path)
    bad = []

    def expect(what, got, want):
        if str(got) != str(want):
            bad.append('%s: page %s, JSON %s' % (what, got, want))

    counts = d.spans.get('vma-count', [])
    for i, p in enumerate(doc['processes']):
        pid, vmas = p['pid'], p['vma']['vmas']
        t = tables(d, 'vmas', pid=pid)
        if len(t) != 1:
            bad.append('pid %d: %d VMA tables' % (pid, len(t)))
            continue
        rows = t[0]['rows'][1:]
        expect('pid %d VMA count (heading)' % pid, counts[i] if i < len(counts) else None,
               len(vmas))
        expect('pid %d VMA rows' % pid, len(rows), len(vmas))
        head = t[0]['rows'][0]
        c = {k: head.index(k) for k in ('start', 'end', 'pages', 'present')}
        for r, v in zip(rows, vmas):
            expect('pid %d VMA start' % pid, r[c['start']], v['start'])
            expect('pid %d VMA %s end' % (pid, v['start']), r[c['end']], v['end'])
            expect('pid %d VMA %s pages' % (pid, v['start']), r[c['pages']],
                   (h(v['end']) - h(v['start'])) // 4096)
            if p['pt']:
                expect('pid %d VMA %s present pages' % (pid, v['start']),
                       r[c['present']], present_pages(v, p['pt']['runs']))
        if p['pt']:
            t = tables(d, 'pt-levels', pid=pid)
            if len(t) != 1:
                bad.append('pid %d: %d page-table level tables' % (pid, len(t)))
            lv = {r[0]: r[1] for t1 in t for r in t1['rows'][1:]}
            for level, n in p['pt']['tables'].items():
                if level == 'p4d' and p['pt']['levels'] == 4:
                    continue
                expect('pid %d %s tables' % (pid, level), lv.get(level), n)
    if doc['buddy']:
        for node in doc['buddy']['nodes']:
            for z in node['zones']:
                t = tables(d, 'buddy', node=node['node'], zone=z['name'])
                if len(t) != 1:
                    bad.append('buddy node %d zone %s: %d tables' %
                               (node['node'], z['name'], len(t)))
                    continue
                head = t[0]['rows'][0]
                col = head.index('free blocks')
                rows = t[0]['rows'][1:]
                expect('zone %s orders' % z['name'], len(rows), len(z['orders']))
                for r, o in zip(rows, z['orders']):
                    expect('zone %s order %d free blocks' % (z['name'], o['order']),
                           r[col], o['nr_free'])
    if doc['slab']:
        t = tables(d, 'slab')
        rows = t[0]['rows'][1:] if len(t) == 1 else []
        expect('slab caches', len(rows), len(doc['slab']['caches']))
        mem = {c['name']: c['memory'] for c in doc['slab']['caches']}
        for r in rows:
            expect('slab %s memory' % r[0], r[5], mem.get(r[0]))
    if doc.get('faults'):
        faults(d, doc['faults'], expect, bad)
    for b in bad[:20]:
        print('check-report:', b)
    return not bad


def log2_slot(v):
    """trace.c's histogram slot: 0 for 0-1, i for [2^i, 2^(i+1)), 39 and up."""
    return min(max(v, 1).bit_length() - 1, 39)


def faults(d, f, expect, bad):
    """The faults tables: per class and per latency slot, against the JSON."""
    ev = f['events']
    s = f['summary']['summary'] if f['summary'] else None
    mine = {}
    for e in ev:
        c = e.get('class') or 'unclassified'
        mine[c] = mine.get(c, 0) + 1
    traced = dict(s['classes'], unclassified=s['unclassified']) if s else {}
    expect('faults kept', f['kept'], len(ev))
    if s:
        expect('faults kept + dropped', f['kept'] + f['dropped'], s['events'])
    t = tables(d, 'faults-classes')
    if len(t) != 1:
        bad.append('faults: %d class tables' % len(t))
        return
    rows = {r[0]: r[1:] for r in t[0]['rows'][1:]}
    for c in set(mine) | {k for k, v in traced.items() if v}:
        r = rows.get(c, ['0', '-'])
        expect('faults of class %s in the page' % c, r[0], mine.get(c, 0))
        if s:
            expect('faults of class %s traced' % c, r[1], traced.get(c, 0))
    shown = {c for c, r in rows.items() if c != 'total' and (r[0] != '0' or r[1] not in ('0', '-'))}
    expect('faults: classes shown', sorted(shown),
           sorted(set(mine) | {k for k, v in traced.items() if v}))
    expect('faults total in the page', rows.get('total', ['-'])[0], len(ev))
    if s:
        expect('faults total traced', rows.get('total', ['-', '-'])[1], s['events'])
    t = tables(d, 'faults-hist')
    if len(t) != 1:
        bad.append('faults: %d histogram tables' % len(t))
        return
    hist = s['latency_log2_ns'] if s else None
    lat = [0] * 40
    for e in ev:
        lat[log2_slot(e['latency_ns'])] += 1
    rows = t[0]['rows'][1:]
    seen = set()
    for r in rows:
        if r[0] == 'total':
            expect('latency histogram: sum of the buckets shown', r[3],
                   sum(hist) if hist else len(ev))
            if s:
                expect('latency histogram: sum = faults traced', r[3], s['events'])
            expect('latency histogram: sum in the page', r[4], len(ev))
            continue
        i = int(r[0])
        seen.add(i)
        expect('latency slot %d from' % i, r[1], 2 ** i if i else 0)
        expect('latency slot %d traced' % i, r[3], hist[i] if hist else lat[i])
        expect('latency slot %d in the page' % i, r[4], lat[i])
    for i in range(40):
        if ((hist and hist[i]) or lat[i]) and i not in seen:
            bad.append('latency slot %d (%s traced, %d in the page) not shown' %
                       (i, hist[i] if hist else '-', lat[i]))


def samples(path):
    _, doc = load(path)
    out = []
    for p in doc['processes']:
        for t in p['translate']:
            if t['leaf'] is not None and t['pfn'] is not None and len(out) < 3:
                out.append('%d:%s' % (p['pid'], t['vaddr']))
    print('\n'.join(out))
    return True


def translate(path, what):
    d, doc = load(path)
    pid, addr = what.split(':')
    rec = None
    for p in doc['processes']:
        if str(p['pid']) == pid:
            rec = next((t for t in p['translate'] if t['vaddr'] == addr), None)
    if rec is None:
        print('check-report: no recorded translation of', what)
        return False
    t = tables(d, 'tr-walk')
    if len(t) != 1:
        print('check-report: %s: %d walk tables shown' % (what, len(t)))
        return False
    shown = [(r[0], r[1], r[2]) for r in t[0]['rows'][1:]]
    want = [(s['level'], str(s['index']), s['kind']) for s in rec['steps']
            if not s['folded']]
    ok = shown == want
    if not ok:
        print('check-report: %s: page %s, translate %s' % (what, shown, want))
    leaf = [p['text'] for p in d._ps if p['class'] == 'tr-leaf']
    m = re.search(r'pfn (\d+)', leaf[0]) if leaf else None
    if not m or int(m.group(1)) != rec['pfn']:
        print('check-report: %s: page leaf %s, translate pfn %s' % (what, leaf, rec['pfn']))
        ok = False
    return ok


def png(path):
    """Not blank: more than a handful of distinct scanlines."""
    with open(path, 'rb') as f:
        b = f.read()
    if b[:8] != b'\x89PNG\r\n\x1a\n':
        return False
    pos, idat, w, hgt, bpp = 8, b'', 0, 0, 4
    while pos < len(b):
        n, kind = struct.unpack('>I4s', b[pos:pos + 8])
        body = b[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, hgt, depth, color = struct.unpack('>IIBB', body[:10])
            bpp = {2: 3, 6: 4, 0: 1, 4: 2}.get(color, 4) * depth // 8
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + w * bpp
    lines = {raw[i * stride:(i + 1) * stride] for i in range(hgt)}
    print('check-report: screenshot %dx%d, %d distinct lines' % (w, hgt, len(lines)))
    return len(lines) > 20


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else ''
    fn = {'numbers': numbers, 'samples': samples, 'translate': translate,
          'png': png}.get(cmd)
    if not fn:
        sys.exit(__doc__ if __doc__ else 'usage: check-report.py numbers|samples|translate|png ...')
    sys.exit(0 if fn(*sys.argv[2:]) else 1)
