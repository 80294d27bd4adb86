#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check-debug`: the selftests on a KASAN/lockdep/kmemleak kernel
# (scripts/debug-kernel.sh builds it).  Not wired up yet.
echo "check-debug: not implemented yet" >&2
exit 1
