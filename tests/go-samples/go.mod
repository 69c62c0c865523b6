// The Go parser samples (scripts/go-samples.sh): tlsdial, a small crypto/tls
// client that is only parsed, never run by the tests; truth, which writes what
// Go's own debug/elf and debug/gosym read from each build of it.
// The go directive stays at 1.15, the oldest toolchain that builds it.
module tlsprobe/gosamples

go 1.15
