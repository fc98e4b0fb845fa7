# shellcheck shell=bash
# build.sh - sourced by the benchmark scripts: build an optimised mtad.
#
#   bench_build TOP BUILD    sets MTAD to TOP/BUILD/mtad, built -O2 -g
#                            without sanitizers; calls die on failure
bench_build() {
	local top=$1 build=$2
	(
		cd "$top"
		[ -x configure ] || autoreconf -fi >/dev/null
		mkdir -p "$build"
		cd "$build"
		[ -f Makefile ] || ../configure CFLAGS="-O2 -g" >/dev/null
		make -j"$(nproc)" mtad >/dev/null
	) || die "build failed"
	# shellcheck disable=SC2034 # for the caller
	MTAD=$top/$build/mtad
}
