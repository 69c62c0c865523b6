// tlsdial dials HOST:PORT over TLS, writes one HTTP request and prints the
// first bytes of the answer. It exists so that the Go parsers have real
// binaries holding crypto/tls.(*Conn).Write and Read; the tests never run it.
package main

import (
	"crypto/tls"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tlsdial HOST:PORT")
		os.Exit(2)
	}
	conn, err := tls.Dial("tcp", os.Args[1], &tls.Config{ServerName: "localhost"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsdial:", err)
		os.Exit(1)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")); err != nil {
		fmt.Fprintln(os.Stderr, "tlsdial: write:", err)
		os.Exit(1)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsdial: read:", err)
		os.Exit(1)
	}
	os.Stdout.Write(buf[:n])
}
