// SPDX-License-Identifier: GPL-2.0
/*
 * mmscope report: draws the JSON documents embedded in the page (element
 * mmscope-data: the CLI's vma, pt, translate, buddy, phys and slab --json
 * documents, and the faults --json records of --faults) with plain DOM
 * elements (SVG for the faults).  No library, no request: the page's
 * Content-Security-Policy forbids them.  Every picture has a table under
 * it with the same numbers.
 *
 * Addresses are "0x..." strings: page-aligned values are exact as Numbers
 * (at most 57 bits, the low 12 zero), a clicked address is a BigInt.
 *
 * Hooks for tests and links: #translate=PID:ADDR shows the walk of ADDR.
 */
'use strict';
(function () {
	const PAGE = 4096;
	const LEVELS = ['pgd', 'p4d', 'pud', 'pmd', 'pte'];
	const SHIFT = { p4d: 39, pud: 30, pmd: 21, pte: 12 };
	const D = JSON.parse(document.getElementById('mmscope-data').textContent);
	const app = document.getElementById('app');
	const procs = {};

	function el(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		for (const k in attrs || {}) {
			if (k === 'class')
				e.className = attrs[k];
			else if (k === 'style')
				e.style.cssText = attrs[k];
			else
				e.setAttribute(k, attrs[k]);
		}
		for (const c of kids) {
			if (c === null || c === undefined)
				continue;
			e.append(typeof c === 'object' ? c : String(c));
		}
		return e;
	}
	function size(b) {
		const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
		let i = 0;

		while (b >= 1024 && i < u.length - 1) {
			b /= 1024;
			i++;
		}
		return i ? b.toFixed(1) + ' ' + u[i] : Math.round(b) + ' B';
	}
	const num = (h) => parseInt(h, 16);
	const hex = (n) => '0x' + n.toString(16);
	function table(cls, head, rows, numcols) {
		const t = el('table', { class: cls });
		const tr = el('tr');

		for (const h of head)
			tr.append(el('th', { scope: 'col' }, h));
		t.append(el('thead', null, tr));
		const tb = el('tbody');
		for (const r of rows) {
			const row = el('tr');
			r.forEach((c, i) => row.append(el('td',
				numcols && numcols.includes(i) ? { class: 'num' } : null, c)));
			tb.append(row);
		}
		t.append(tb);
		return t;
	}
	function section(id, title) {
		const s = el('section', { id: id }, el('h2', null, title));
		app.append(s);
		return s;
	}

	/* ---- address space ------------------------------------------------ */

	const KINDS = ['code', 'data', 'heap', 'stack', 'anon', 'file', 'shared',
		       'guard', 'special'];
	function vmaKind(v) {
		const p = v.perms, n = v.name || '';

		if (p.slice(0, 3) === '---')
			return 'guard';
		if (n === '[stack]' || v.flags.includes('gd'))
			return 'stack';
		if (n === '[heap]')
			return 'heap';
		if (n.startsWith('['))
			return 'special';
		if (p[3] === 's')
			return 'shared';
		if (p[2] === 'x')
			return 'code';
		if (n && p[1] === 'w')
			return 'data';
		return n ? 'file' : 'anon';
	}

	/* Pages of each VMA by what its page-table runs say (both sorted). */
	function residency(vmas, runs) {
		const out = vmas.map(() => ({ present: 0, swap: 0, huge: 0 }));
		let j = 0;

		vmas.forEach((v, i) => {
			const s = num(v.start), e = num(v.end);

			while (j < runs.length && runs[j].e <= s)
				j++;
			for (let k = j; k < runs.length && runs[k].s < e; k++) {
				const r = runs[k];
				const pages = (Math.min(e, r.e) - Math.max(s, r.s)) / PAGE;

				if (pages <= 0)
					continue;
				if (r.kind === 'present' || r.kind === 'protnone') {
					out[i].present += pages;
					if (r.level !== 'pte')
						out[i].huge += pages;
				} else if (r.kind === 'swap') {
					out[i].swap += pages;
				}
			}
		});
		return out;
	}

	/* Segments: VMAs closer than a quarter of the segment (or 4 MiB). */
	function segments(vmas) {
		const segs = [];
		let cur = null;

		for (const v of vmas) {
			const s = num(v.start), e = num(v.end);

			if (cur && s - cur.end <= Math.max(4 << 20, (cur.end - cur.start) / 4)) {
				cur.end = e;
				cur.vmas.push(v);
			} else {
				cur = { start: s, end: e, vmas: [v] };
				segs.push(cur);
			}
		}
		return segs;
	}

	function drawSpace(sec, P, vmas, res) {
		const mm = P.vma.mm || {};
		const marks = ['start_code', 'end_code', 'start_data', 'start_brk',
			       'brk', 'start_stack', 'mmap_base']
			.filter((k) => mm[k] && num(mm[k]))
			.map((k) => ({ name: k, at: num(mm[k]) }));
		const segs = segments(vmas);
		const box = el('div', { class: 'space', role: 'img',
			'aria-label': 'address space of ' + P.pid + ', ' + vmas.length +
				' VMAs in ' + segs.length + ' segments (table below)' });
		const idx = new Map(vmas.map((v, i) => [v, i]));

		segs.forEach((g, gi) => {
			const span = g.end - g.start;
			const bar = el('div', { class: 'bar', 'data-start': hex(g.start),
						 'data-end': hex(g.end) });

			if (gi)
				box.append(el('div', { class: 'hole' }, 'hole ' +
					size(g.start - segs[gi - 1].end) + ' (not to scale)'));
			for (const v of g.vmas) {
				const s = num(v.start), e = num(v.end), r = res[idx.get(v)];
				const left = (s - g.start) / span * 100;
				const w = (e - s) / span * 100;
				const k = vmaKind(v);

				bar.append(el('div', { class: 'vma k-' + k,
					style: 'left:' + left + '%;width:' + w + '%',
					title: v.start + '-' + v.end + ' ' + size(e - s) + ' ' +
						v.perms + ' ' + k + ' ' + (v.name || '(anonymous)') +
						'\npresent ' + r.present + ' of ' + (e - s) / PAGE +
						' pages, swapped ' + r.swap + ', in huge pages ' + r.huge }));
			}
			/* Where the pages are: present (black) and swapped (red) runs,
			 * merged where closer than 0.1% of the bar. */
			for (const kind of ['present', 'swap']) {
				let cur = null;
				const flush = () => cur && bar.append(el('div', { class: 'res ' + kind,
					style: 'left:' + (cur.s - g.start) / span * 100 + '%;width:' +
						(cur.e - cur.s) / span * 100 + '%' }));

				let lo = 0, hi = P.runs.length;

				while (lo < hi) {	/* the first run ending after g.start */
					const mid = (lo + hi) >> 1;

					if (P.runs[mid].e <= g.start)
						lo = mid + 1;
					else
						hi = mid;
				}
				for (let k = lo; k < P.runs.length && P.runs[k].s < g.end; k++) {
					const r = P.runs[k];

					if ((kind === 'present' ? r.kind !== 'present' && r.kind !== 'protnone' :
					     r.kind !== 'swap'))
						continue;
					const s = Math.max(r.s, g.start), e = Math.min(r.e, g.end);

					if (cur && s - cur.e <= span / 1000) {
						cur.e = e;
					} else {
						flush();
						cur = { s: s, e: e };
					}
				}
				flush();
			}
			for (const m of marks)
				if (m.at >= g.start && m.at <= g.end)
					bar.append(el('div', { class: 'mark', title: m.name + ' ' + hex(m.at),
						style: 'left:' + (m.at - g.start) / span * 100 + '%' },
						el('span', null, m.name)));
			bar.addEventListener('click', (ev) => {
				const rc = bar.getBoundingClientRect();
				const f = Math.min(Math.max((ev.clientX - rc.left) / rc.width, 0), 0.999999);
				const page = BigInt(Math.floor(f * span / PAGE));

				translate(P.pid, BigInt(g.start) + page * BigInt(PAGE));
			});
			/* Zoom: the bar grows inside a scrolling box (pan: scroll). */
			let zoom = 1;
			const label = el('span', null, '');
			const setZoom = (z) => {
				zoom = Math.min(Math.max(z, 1), 1024);
				bar.style.width = zoom * 100 + '%';
				label.textContent = hex(g.start) + ' - ' + hex(g.end) + '  ' + size(span) +
					', ' + g.vmas.length + ' VMAs, ' + size(span / 1000 / zoom) +
					' per 0.1% of the view' + (zoom > 1 ? ' (zoom x' + zoom + ')' : '') + ' ';
			};
			const zin = el('button', { type: 'button', 'aria-label': 'zoom in' }, '+');
			const zout = el('button', { type: 'button', 'aria-label': 'zoom out' }, '\u2212');
			zin.addEventListener('click', () => setZoom(zoom * 4));
			zout.addEventListener('click', () => setZoom(zoom / 4));
			setZoom(1);
			box.append(el('div', { class: 'seg' },
				el('div', { class: 'seglabel' }, label, zin, zout),
				el('div', { class: 'pan' }, bar)));
		});
		sec.append(box);
		const lg = el('div', { class: 'legend' });
		for (const k of KINDS)
			lg.append(el('span', null, el('i', { class: 'k-' + k }), k));
		lg.append(el('span', null, 'underline: present pages (black), swapped (red); ' +
			'red dashes: mm boundaries; ' +
			'click a bar to translate that address'));
		sec.append(lg);
	}

	/* ---- page tables ---------------------------------------------------- */

	function entryShift(P, level) {
		return level === 'pgd' ? (P.levels === 5 ? 48 : 39) : SHIFT[level];
	}

	function drawTables(sec, P) {
		const pt = P.pt;
		const used = {};

		for (const l of LEVELS)
			used[l] = new Map();
		for (const r of P.runs) {
			const es = 2 ** entryShift(P, r.level), ts = es * 512;
			let s = r.s;

			while (s < r.e) {
				const t = Math.floor(s / ts), te = Math.min(r.e, (t + 1) * ts);
				const m = used[r.level];

				m.set(t, (m.get(t) || 0) + (r.kind === 'none' ? 0 : (te - s) / es));
				s = te;
			}
		}
		/* An upper table's entries: the tables below it, and its leaves. */
		const chain = LEVELS.filter((l) => P.levels === 5 || l !== 'p4d');
		for (let i = chain.length - 1; i > 0; i--) {
			const up = chain[i - 1], ts = 2 ** entryShift(P, chain[i]) * 512;
			const pts = 2 ** entryShift(P, up) * 512;

			for (const t of used[chain[i]].keys()) {
				const k = Math.floor(t * ts / pts);

				used[up].set(k, (used[up].get(k) || 0) + 1);
			}
		}
		const leaves = { pud: pt.present['1g'], pmd: pt.present['2m'], pte: pt.present['4k'] };
		const rows = LEVELS.filter((l) => P.levels === 5 || l !== 'p4d').map((l) => {
			const m = used[l];
			let n = 0, sum = 0;

			for (const v of m.values()) {
				n += v > 0;
				sum += v;
			}
			return [l, pt.tables[l], n, n ? (sum / n).toFixed(1) : '-', sum,
				leaves[l] === undefined ? '-' : leaves[l]];
		});
		sec.append(el('h3', null, 'Page tables: ' + P.levels + '-level paging'));
		const pics = el('div', { role: 'img', 'aria-label': 'page-table pages per level, shaded by entries used (table below)' });
		for (const l of LEVELS) {
			if (P.levels === 4 && l === 'p4d')
				continue;
			const es = 2 ** entryShift(P, l);
			const m = [...used[l].entries()].sort((a, b) => a[0] - b[0]);
			const line = el('div', { class: 'tables' });
			const max = 2048;

			for (const [t, v] of m.slice(0, max))
				line.append(el('span', { class: 'tbl',
					style: 'opacity:' + (0.15 + 0.85 * v / 512).toFixed(3),
					title: l + ' table for ' + hex(t * es * 512) + ': ' + v + ' of 512 entries used' }));
			pics.append(el('div', { class: 'seglabel' }, l + ': ' + m.length +
				' tables with entries in the runs' +
				(m.length > max ? ' (first ' + max + ' drawn)' : '')), line);
		}
		sec.append(pics);
		sec.append(table('pt-levels', ['level', 'tables', 'tables with entries used',
			'entries used per table', 'entries used', 'present leaves'], rows, [1, 2, 3, 4, 5]));
		sec.lastChild.setAttribute('data-pid', P.pid);
		const kinds = Object.entries(pt.entries).map(([k, v]) => [k, v === null ? 'hidden' : v]);
		sec.append(el('details', null, el('summary', null, 'entries by kind'),
			table('pt-kinds', ['kind', 'entries'], kinds, [1])));
	}

	/* ---- translation ---------------------------------------------------- */

	/* The walk of @va as the runs show it: levels, indices, leaf. */
	function walk(P, va) {
		const steps = [];
		let lo = 0, hi = P.runs.length, run = null;

		while (lo < hi) {
			const mid = (lo + hi) >> 1, r = P.runs[mid];

			if (va < r.bs)
				hi = mid;
			else if (va >= r.be)
				lo = mid + 1;
			else {
				run = r;
				break;
			}
		}
		for (const l of LEVELS) {
			if (P.levels === 4 && l === 'p4d')
				continue;
			const idx = Number((va >> BigInt(entryShift(P, l))) & 511n);
			const leaf = run && run.level === l;

			steps.push({ level: l, index: idx, kind: leaf ? run.kind : 'table',
				     flags: leaf ? run.flags.join(' ') : '' });
			if (leaf)
				break;
		}
		let pfn = null;
		if (run && run.pfn !== null && (run.kind === 'present' || run.kind === 'protnone'))
			pfn = run.pfn + Number((va - run.bs) >> 12n);
		return { run: run, steps: run ? steps : [], pfn: pfn };
	}

	function translate(pid, va) {
		const P = procs[pid];
		if (!P)
			return;
		const out = P.trOut;
		const w = walk(P, va);
		const page = va & ~4095n;
		const sample = P.samples.get(page.toString(16));

		P.trIn.value = '0x' + va.toString(16);
		out.replaceChildren();
		out.append(el('p', null, 'Address ', el('code', null, '0x' + va.toString(16)),
			P.vmaAt(va) ? ' in ' + P.vmaAt(va) : ' in no VMA'));
		if (!w.run) {
			out.append(el('p', { class: 'tr-none' }, 'No page-table entry covers it in the runs: ' +
				'no table below some level (nothing mapped).'));
		} else {
			out.append(table('tr-walk', ['level', 'index', 'kind', 'flags'],
				w.steps.map((s) => [s.level, s.index, s.kind, s.flags]), [1]));
			out.append(el('p', { class: 'tr-leaf' }, 'leaf ' + w.run.level + ', ' + w.run.kind +
				(w.pfn !== null ? ', pfn ' + w.pfn + ', phys 0x' +
					(BigInt(w.pfn) * 4096n + (va & 4095n)).toString(16) :
					w.run.pfn === null && w.run.kind === 'present' ? ', pfn hidden (needs root)' : '')));
		}
		if (sample) {
			out.append(el('p', null, 'mmscope translate of this page, as recorded:'));
			out.append(table('tr-sample', ['level', 'index', 'entry', 'kind', 'flags'],
				sample.steps.map((s) => [s.level, s.index, s.entry === null ? 'hidden' : s.entry,
					s.kind, s.flags.join(' ')]), [1]));
			out.append(el('p', null, 'leaf ' + sample.leaf + ', pfn ' +
				(sample.pfn === null ? 'null' : sample.pfn)));
		} else {
			out.append(el('p', { class: 'meta' }, 'Entries of the upper levels are in the ' +
				'recorded translations only (start, middle and last page of sampled VMAs).'));
		}
	}

	function drawTranslate(sec, P) {
		P.trIn = el('input', { type: 'text', 'aria-label': 'virtual address', placeholder: '0x7f...' });
		P.trOut = el('div', { class: 'tr-out', 'aria-live': 'polite' });
		const form = el('form', null, 'Translate an address: ', P.trIn, ' ',
			el('button', { type: 'submit' }, 'walk'));
		form.addEventListener('submit', (ev) => {
			ev.preventDefault();
			try {
				translate(P.pid, BigInt(P.trIn.value.trim()));
			} catch (e) {
				P.trOut.replaceChildren(el('p', { class: 'err' }, 'not an address: ' + P.trIn.value));
			}
		});
		sec.append(el('div', { class: 'tr', id: 'tr-' + P.pid }, form, P.trOut));
	}

	function drawProcess(p) {
		const sec = section('proc-' + p.pid, 'Process ' + p.pid + (p.comm ? ' (' + p.comm + ')' : ''));
		if (!p.vma) {
			sec.append(el('p', { class: 'err' }, 'no vma view'));
			return;
		}
		const vmas = p.vma.vmas;
		const P = {
			pid: p.pid, vma: p.vma, pt: p.pt,
			levels: p.pt ? p.pt.levels : (p.vma.mm ? p.vma.mm.pgtable_levels : 4),
			runs: (p.pt ? p.pt.runs : []).map((r) => ({
				s: num(r.start), e: num(r.end), bs: BigInt(r.start), be: BigInt(r.end),
				level: r.level, kind: r.kind, pfn: r.pfn, flags: r.flags })),
			samples: new Map(p.translate.map((t) => [(BigInt(t.vaddr) & ~4095n).toString(16), t])),
			vmaAt: (va) => {
				const v = vmas.find((x) => BigInt(x.start) <= va && va < BigInt(x.end));
				return v ? v.start + '-' + v.end + ' ' + (v.name || '(anonymous)') : null;
			},
		};
		procs[p.pid] = P;
		const res = residency(vmas, P.runs);
		const mm = p.vma.mm;
		sec.append(el('p', { class: 'summary' }, el('span', { class: 'vma-count' }, vmas.length),
			' VMAs; ' + (mm ? mm.pgtable_levels + '-level paging, ' + size(mm.total_vm * PAGE) +
			' virtual, page tables ' + size(mm.pgtables_bytes) : 'no mm')));
		sec.append(el('h3', null, 'Address space'));
		drawSpace(sec, P, vmas, res);
		drawTranslate(sec, P);
		const rows = vmas.map((v, i) => [i, v.start, v.end, size(num(v.end) - num(v.start)), v.perms,
			vmaKind(v), (num(v.end) - num(v.start)) / PAGE, res[i].present, res[i].swap,
			res[i].huge, v.name || '']);
		sec.append(el('details', { open: '' }, el('summary', null, 'VMAs (table)'),
			el('div', { class: 'scroll' }, table('vmas', ['#', 'start', 'end', 'size', 'perms',
				'kind', 'pages', 'present', 'swapped', 'in huge pages', 'name'],
				rows, [0, 6, 7, 8, 9]))));
		sec.lastChild.querySelector('table').setAttribute('data-pid', p.pid);
		if (p.pt)
			drawTables(sec, P);
		else
			sec.append(el('p', { class: 'err' }, 'no page-table view'));
	}

	/* ---- buddy, phys, slab --------------------------------------------- */

	function drawBuddy(b) {
		const sec = section('buddy', 'Buddy allocator: free blocks');
		for (const n of b.nodes) {
			for (const z of n.zones) {
				const mts = [];
				for (const o of z.orders)
					for (const k of Object.keys(o.walked || {}))
						if (!mts.includes(k))
							mts.push(k);
				sec.append(el('h3', null, 'Node ' + n.node + ', zone ' + z.name + ': ' +
					size(z.free_pages * PAGE) + ' free of ' + size(z.managed * PAGE) + ' managed'));
				const max = Math.max(1, ...z.orders.map((o) => o.nr_free * 2 ** o.order));
				const pic = el('div', { role: 'img', 'aria-label': 'free pages per order (table below)' });
				for (const o of z.orders)
					pic.append(el('div', { class: 'seglabel' },
						('order ' + o.order).padEnd(9), el('span', { class: 'hbar',
							style: 'width:' + (o.nr_free * 2 ** o.order / max * 400) + 'px' }),
						' ' + o.nr_free + ' x ' + size(PAGE * 2 ** o.order)));
				sec.append(pic);
				const rows = z.orders.map((o) => [o.order, size(PAGE * 2 ** o.order), o.nr_free,
					...mts.map((m) => o.walked ? o.walked[m] || 0 : 'hidden'),
					o.nr_free * 2 ** o.order,
					o.unusable_index === null ? '-' : o.unusable_index.toFixed(3),
					o.extfrag_index === null ? '-' : o.extfrag_index.toFixed(3)]);
				const t = table('buddy', ['order', 'block', 'free blocks', ...mts, 'free pages',
					'unusable index', 'extfrag index'], rows,
					[0, 2, ...mts.map((m, i) => 3 + i), 3 + mts.length]);
				t.setAttribute('data-node', n.node);
				t.setAttribute('data-zone', z.name);
				sec.append(t);
			}
		}
	}

	function drawPhys(ph) {
		const sec = section('phys', 'Physical memory: pageblocks by migratetype');
		for (const n of ph.nodes) {
			for (const z of n.zones) {
				const runs = z.runs || [];
				const total = runs.reduce((a, r) => a + r.blocks, 0) || 1;
				const strip = el('div', { class: 'strip', role: 'img',
					'aria-label': 'pageblocks of zone ' + z.name + ' (table below)' });
				for (const r of runs)
					strip.append(el('div', { class: 'mt-' + r.migratetype,
						style: 'width:' + r.blocks / total * 100 + '%',
						title: 'PFN ' + r.start_pfn + '-' + r.end_pfn + ': ' + r.blocks + ' ' +
							r.migratetype + ' blocks, ' + r.fill }));
				sec.append(el('h3', null, 'Node ' + n.node + ', zone ' + z.name), strip);
				const bl = Object.entries(z.blocks || {});
				sec.append(table('phys-blocks', ['migratetype', 'pageblocks'], bl, [1]));
			}
		}
	}

	function drawSlab(s) {
		const sec = section('slab', 'Slab caches by memory used');
		const c = s.caches.slice().sort((a, b) => b.memory - a.memory);
		const max = Math.max(1, ...c.map((x) => x.memory));
		const pic = el('div', { role: 'img', 'aria-label': 'the 30 largest caches (table below)' });
		for (const x of c.slice(0, 30))
			pic.append(el('div', { class: 'seglabel' }, x.name.padEnd(26).slice(0, 26) + ' ',
				el('span', { class: 'hbar', style: 'width:' + (x.memory - x.waste) / max * 400 + 'px' }),
				el('span', { class: 'hbar waste', style: 'width:' + x.waste / max * 400 + 'px' }),
				' ' + size(x.memory) + ' (' + size(x.waste) + ' wasted)'));
		sec.append(pic, el('div', { class: 'legend' }, el('span', null, el('i', { style: 'background:#4a7' }), 'used'),
			el('span', null, el('i', { style: 'background:#d44' }), 'wasted')));
		sec.append(el('details', null, el('summary', null, c.length + ' caches (table)'),
			el('div', { class: 'scroll' }, table('slab', ['cache', 'object size', 'active objects',
				'objects', 'slabs', 'memory (bytes)', 'wasted (bytes)'],
				c.map((x) => [x.name, x.object_size, x.active_objs, x.num_objs, x.num_slabs,
					x.memory, x.waste]), [1, 2, 3, 4, 5, 6]))));
	}

	/* ---- page faults (--faults) ---------------------------------------- */

	/* The classes of docs/faults.md, in its order; null: unclassified. */
	const FCLASSES = ['anon', 'zero', 'cow', 'reuse', 'file_minor', 'file_major',
			  'swap_minor', 'swap_major', 'numa', 'uffd', 'hugetlb', 'error',
			  'retry', 'spurious', 'unclassified'];
	const HIST_SLOTS = 40;
	/*
	 * SVG's namespace, from the HTML parser (an <svg> element in HTML is
	 * in it): the page holds no URL, not even that one (a test checks).
	 */
	const SVGNS = (() => {
		const d = document.createElement('div');

		d.innerHTML = '<svg></svg>';
		return d.firstChild.namespaceURI;
	})();
	/* Points drawn at most (the tables count them all). */
	const MAX_POINTS = 20000;

	function svg(tag, attrs) {
		const e = document.createElementNS(SVGNS, tag);
		for (const k in attrs)
			e.setAttribute(k, attrs[k]);
		return e;
	}
	/* The slot of trace.c's log2 histogram: 0 for 0-1, i for [2^i, 2^(i+1)). */
	function log2Slot(v) {
		let s = 0;

		while (v > 1 && s < HIST_SLOTS - 1) {
			v = Math.floor(v / 2);
			s++;
		}
		return s;
	}
	const fclass = (e) => (typeof e.class === 'string' && FCLASSES.includes(e.class) ?
			       e.class : e.class ? String(e.class) : 'unclassified');

	/*
	 * The address axis: the faulting pages, cut where two are further apart
	 * than 4 MiB; at most 16 bands (the 15 widest gaps cut).
	 */
	function faultBands(pages) {
		const u = [...new Set(pages)].sort((a, b) => a - b);
		const gaps = [];

		for (let i = 1; i < u.length; i++)
			if (u[i] - u[i - 1] > (4 << 20))
				gaps.push([u[i] - u[i - 1], i]);
		gaps.sort((a, b) => b[0] - a[0]);
		const cuts = gaps.slice(0, 15).map((g) => g[1]).sort((a, b) => a - b);
		const bands = [];
		let from = 0;

		for (const c of [...cuts, u.length]) {
			if (c > from)
				bands.push({ start: u[from], end: u[c - 1] + PAGE, n: 0 });
			from = c;
		}
		return bands;
	}

	function drawFaults(F) {
		const sec = section('faults', 'Page faults');
		const S = F.summary && F.summary.summary ? F.summary.summary : null;
		const ev = (Array.isArray(F.events) ? F.events : []).filter((e) =>
			e && typeof e.addr === 'string' && typeof e.ts_ns === 'number');
		const what = F.command ? 'command ' + F.command.join(' ') + ' (its process tree)' :
			F.pid ? 'process ' + F.pid : 'every task';
		sec.append(el('p', { class: 'summary' }, 'Traced for up to ' + F.seconds + ' s: ' + what +
			'. ' + (S ? S.events + ' faults traced (' + S.probe + '), ' + S.lost + ' lost, ' +
				S.missed + ' missed; ' : '') +
			ev.length + ' in this page, ' + F.dropped + ' dropped beyond its cap of ' +
			F.max_events + ' events.' + (S && S.child ? ' The command exited with status ' +
				S.child.status + ' (minflt ' + S.child.minflt + ', majflt ' +
				S.child.majflt + ').' : '')));

		/* faults over time x address */
		const t0 = ev.length ? Math.min(...ev.map((e) => e.ts_ns)) : 0;
		const t1 = ev.length ? Math.max(...ev.map((e) => e.ts_ns)) : 1;
		const dt = Math.max(t1 - t0, 1);
		const page = (e) => Math.floor(num(e.addr) / PAGE) * PAGE;
		const bands = faultBands(ev.map(page));
		const BH = 60, W = 1000;
		const byBand = (a) => {
			let lo = 0, hi = bands.length - 1;

			while (lo < hi) {
				const mid = (lo + hi + 1) >> 1;

				if (bands[mid].start <= a)
					lo = mid;
				else
					hi = mid - 1;
			}
			return lo;
		};
		sec.append(el('h3', null, 'Faults over time and address'));
		const wide = el('div', { class: 'fwide' });
		const pics = bands.map((b, i) => {
			const p = svg('svg', { viewBox: '0 0 ' + W + ' ' + BH,
					       preserveAspectRatio: 'none', class: 'fpic' });

			wide.append(el('div', { class: 'seglabel' }, (i ? 'hole ' + size(b.start - bands[i - 1].end) +
				' (not to scale); ' : '') + hex(b.start) + ' - ' + hex(b.end) + ' (' +
				size(b.end - b.start) + ')'), p);
			return p;
		});
		const counts = {};
		ev.forEach((e, k) => {
			const c = fclass(e), a = page(e), bi = byBand(a), b = bands[bi];

			counts[c] = (counts[c] || 0) + 1;
			b.n++;
			if (k >= MAX_POINTS)
				return;
			/* a short vertical stroke, 3 px wide at any zoom */
			const x = 2 + (e.ts_ns - t0) / dt * (W - 4);
			const y = 2 + (a - b.start) / (b.end - b.start) * (BH - 6);
			const r = svg('line', { x1: x, x2: x, y1: y, y2: y + 2, class: 'fpt fc-' + c });
			const tt = svg('title', {});

			tt.textContent = ((e.ts_ns - t0) / 1e9).toFixed(6) + ' s  pid ' + e.pid + ' ' +
				e.addr + ' ' + c + (e.write ? ' write' : e.exec ? ' exec' : ' read') +
				', ' + e.latency_ns + ' ns' + (e.vma ? ', ' + (e.vma.name || '[anon]') : '');
			r.append(tt);
			pics[bi].append(r);
		});
		const pan = el('div', { class: 'pan' }, wide);
		let zoom = 1;
		const label = el('span', null, '');
		const setZoom = (z) => {
			zoom = Math.min(Math.max(z, 1), 1024);
			wide.style.width = zoom * 100 + '%';
			label.textContent = 'time: 0 - ' + (dt / 1e9).toFixed(3) + ' s from the first fault' +
				(zoom > 1 ? ' (zoom x' + zoom + ', scroll to pan)' : '') + ' ';
		};
		const zin = el('button', { type: 'button', 'aria-label': 'zoom in on time' }, '+');
		const zout = el('button', { type: 'button', 'aria-label': 'zoom out on time' }, '\u2212');
		zin.addEventListener('click', () => setZoom(zoom * 4));
		zout.addEventListener('click', () => setZoom(zoom / 4));
		setZoom(1);
		sec.append(el('div', { role: 'img', 'aria-label': 'faults over time (across) and ' +
			'address (down, in ' + bands.length + ' bands), coloured by class (tables below)' },
			el('div', { class: 'seglabel' }, label, zin, zout), pan));
		if (ev.length > MAX_POINTS)
			sec.append(el('p', { class: 'meta' }, 'The first ' + MAX_POINTS + ' of ' + ev.length +
				' faults are drawn; the tables count them all.'));
		const lg = el('div', { class: 'legend' });
		for (const c of FCLASSES)
			if (counts[c] || (S && S.classes && S.classes[c]))
				lg.append(el('span', null, el('i', { class: 'fc-' + c }), c));
		lg.append(el('span', null, 'hover a point for its values'));
		sec.append(lg);
		const cls = [...FCLASSES, ...Object.keys(counts).filter((c) => !FCLASSES.includes(c))];
		const traced = (c) => !S ? '-' : c === 'unclassified' ? S.unclassified ?? '-' :
			S.classes && S.classes[c] !== undefined ? S.classes[c] : '-';
		const crow = cls.filter((c) => counts[c] || (traced(c) !== '-' && traced(c) !== 0))
			.map((c) => [c, counts[c] || 0, traced(c)]);
		crow.push(['total', ev.length, S ? S.events : '-']);
		sec.append(table('faults-classes', ['class', 'faults in this page', 'faults traced'],
			crow, [1, 2]));
		sec.append(table('faults-bands', ['band', 'start', 'end', 'size', 'faults in this page'],
			bands.map((b, i) => [i, hex(b.start), hex(b.end), size(b.end - b.start), b.n]),
			[0, 4]));
		const ROWS = 2000;
		sec.append(el('details', null, el('summary', null, 'faults (table' +
			(ev.length > ROWS ? ', the first ' + ROWS + ' of ' + ev.length : '') + ')'),
			el('div', { class: 'scroll' }, table('faults-events', ['time (s)', 'pid', 'tid',
				'comm', 'address', 'access', 'class', 'latency (ns)', 'pfn', 'vma'],
				ev.slice(0, ROWS).map((e) => [((e.ts_ns - t0) / 1e9).toFixed(6), e.pid, e.tid,
					e.comm, e.addr, e.write ? 'write' : e.exec ? 'exec' : 'read', fclass(e),
					e.latency_ns, e.pfn ?? 'hidden', e.vma ? (e.vma.name || '[anon]') : '']),
				[1, 2, 7, 8]))));

		/* the latency histogram */
		sec.append(el('h3', null, 'Fault latency (log2 histogram)'));
		const mine = new Array(HIST_SLOTS).fill(0);
		for (const e of ev)
			if (typeof e.latency_ns === 'number')
				mine[log2Slot(e.latency_ns)]++;
		const all = S && Array.isArray(S.latency_log2_ns) ? S.latency_log2_ns : mine;
		let first = HIST_SLOTS, last = -1;
		for (let i = 0; i < HIST_SLOTS; i++)
			if (all[i] || mine[i]) {
				first = Math.min(first, i);
				last = i;
			}
		const max = Math.max(1, ...all);
		const hp = el('div', { role: 'img', 'aria-label': 'faults per latency bucket (table below)' });
		const hrows = [];
		let sumAll = 0, sumMine = 0;
		for (let i = first; i <= last; i++) {
			const lo = i ? 2 ** i : 0, hi = 2 ** (i + 1) - 1;
			const rng = (lo + ' - ' + hi).padStart(27);

			hp.append(el('div', { class: 'seglabel', style: 'white-space:pre',
				title: rng + ' ns: ' + all[i] + ' faults' },
				rng + ' ns ', el('span', { class: 'hbar', style: 'width:' + all[i] / max * 400 + 'px' }),
				' ' + all[i]));
			hrows.push([i, lo, i === HIST_SLOTS - 1 ? 'and more' : hi, all[i], mine[i]]);
			sumAll += all[i];
			sumMine += mine[i];
		}
		sec.append(hp);
		hrows.push(['total', '', '', sumAll, sumMine]);
		sec.append(table('faults-hist', ['slot', 'from (ns)', 'to (ns)',
			S ? 'faults traced' : 'faults in this page', 'faults in this page'], hrows, [0, 1, 2, 3, 4]));
	}

	/* ---- the page ------------------------------------------------------- */

	app.append(el('h1', null, 'mmscope report'),
		el('p', { class: 'meta' }, 'host ' + D.host + ', kernel ' + D.kernel + ', ' + D.created +
			'; JSON version ' + D.json + '. The data of this page is in its mmscope-data element.'));
	const nav = el('p', null, 'Contents: ');
	app.append(nav);
	for (const e of D.errors)
		app.append(el('p', { class: 'err' }, e.view + (e.pid ? ' of ' + e.pid : '') + ': ' + e.error));
	for (const p of D.processes)
		drawProcess(p);
	if (D.buddy)
		drawBuddy(D.buddy);
	if (D.phys)
		drawPhys(D.phys);
	if (D.slab)
		drawSlab(D.slab);
	if (D.faults)
		drawFaults(D.faults);
	for (const s of app.querySelectorAll('section'))
		nav.append(el('a', { href: '#' + s.id }, s.firstChild.textContent), ' ');
	const m = /^#translate=(\d+):(0x[0-9a-fA-F]+)$/.exec(location.hash);
	if (m)
		translate(Number(m[1]), BigInt(m[2]));
	document.body.setAttribute('data-rendered', 'ok');	/* for tests */
	/* ms from navigation to drawn: make bench (scripts/bench-report.sh) */
	document.body.setAttribute('data-render-ms', String(Math.round(performance.now())));
})();
