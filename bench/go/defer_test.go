// P1's Go baselines: the same tiny function as bench/defer_bench.c, with
// an open-coded defer (Go 1.14+), and with a defer in a loop, which Go
// cannot open-code and runs through the runtime's defer records: one
// iteration (withLoopDefer), and N iterations with N a run-time value
// (withLoopDeferN, as defer_bench's "loop" variant).
package modlinkbench

import "testing"

var sinkCount int

//go:noinline
func sink() { sinkCount++ }

//go:noinline
func withOpenDefer(x int) int {
	defer sink()
	return x + 1
}

//go:noinline
func withLoopDefer(x int) int {
	for i := 0; i < 1; i++ {
		defer sink()
	}
	return x + 1
}

//go:noinline
func withLoopDeferN(x, n int) int {
	for i := 0; i < n; i++ {
		defer sink()
	}
	return x + 1
}

func BenchmarkOpenDefer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		withOpenDefer(i)
	}
}

func BenchmarkLoopDefer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		withLoopDefer(i)
	}
}

func BenchmarkLoopDefer8(b *testing.B) {
	for i := 0; i < b.N; i++ {
		withLoopDeferN(i, 8)
	}
}
