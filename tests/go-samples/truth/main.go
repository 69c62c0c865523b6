// truth writes, for each Go binary named on the command line, what Go's own
// debug/elf and debug/gosym read from it: the ground truth the C parsers
// (tracer/gopclntab.c) are tested against. It builds with every toolchain
// from Go 1.15 on, so it uses nothing newer (the version comes from
// `go version FILE`, written by scripts/go-samples.sh).
//
// Output, one fact per line, for each binary:
//
//	binary PATH
//	text ADDR FROM             the text start handed to gosym (FROM: runtime.text or .text)
//	section NAME               where the table is (.gopclntab, .data.rel.ro.gopclntab)
//	func NAME ENTRY END        gosym's Func.Entry and Func.End
//	symtab NAME VALUE SIZE     the .symtab symbol, when there is one
//	layout TYPE.FIELD OFFSET   a struct member's offset from DWARF, when the
//	                           binary has it: the fd chain of tracer/libs/go.c
//	note TEXT                  what gosym could not do, or disagreed on
package main

import (
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"os"
)

var wanted = []string{"crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read"}

// The struct members the tracer's fd chain goes through (runtime.itab is
// internal/abi.ITab from Go 1.22 on, its fun then Fun).
var members = map[string][]string{
	"crypto/tls.Conn":   {"conn"},
	"net.TCPConn":       {"conn"},
	"net.conn":          {"fd"},
	"net.netFD":         {"pfd"},
	"internal/poll.FD":  {"Sysfd"},
	"runtime.itab":      {"fun"},
	"internal/abi.ITab": {"Fun"},
	"runtime.g":         {"stack"},
	"runtime.stack":     {"lo", "hi"},
}

// layout prints the offsets of members from the binary's DWARF, if any:
// one flat walk, the members of a wanted struct being the entries after it
// up to the null entry that ends its children.
func layout(f *elf.File) {
	d, err := f.DWARF()
	if err != nil {
		return // stripped: nothing to say
	}
	seen := map[string]bool{}
	var in string // the wanted struct whose members come next
	depth := 0
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			return
		}
		if in != "" {
			switch {
			case e.Tag == 0:
				depth--
				if depth == 0 {
					in = ""
				}
			case depth == 1 && e.Tag == dwarf.TagMember:
				fname, _ := e.Val(dwarf.AttrName).(string)
				for _, w := range members[in] {
					if w == fname {
						off, _ := e.Val(dwarf.AttrDataMemberLoc).(int64)
						fmt.Printf("layout %s.%s %d\n", in, fname, off)
					}
				}
			}
			if e.Children && e.Tag != 0 {
				depth++
			}
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if _, ok := members[name]; ok && e.Tag == dwarf.TagStructType && e.Children && !seen[name] {
			seen[name] = true
			in = name
			depth = 1
		}
	}
}

func main() {
	for _, path := range os.Args[1:] {
		fmt.Printf("binary %s\n", path)
		if err := describe(path); err != nil {
			fmt.Printf("note %v\n", err)
		}
	}
}

// textStart is what gosym needs for Go 1.18+ tables, whose entries are
// offsets from it: runtime.text when the binary keeps .symtab, else the
// .text section's address (where the Go linker puts runtime.text).
func textStart(f *elf.File, syms map[string]elf.Symbol) (uint64, string, error) {
	if s, ok := syms["runtime.text"]; ok {
		return s.Value, "runtime.text", nil
	}
	sec := f.Section(".text")
	if sec == nil {
		return 0, "", fmt.Errorf("no .text section")
	}
	return sec.Addr, ".text", nil
}

func symbols(f *elf.File) map[string]elf.Symbol {
	syms := map[string]elf.Symbol{}
	all, err := f.Symbols()
	if err != nil {
		return syms
	}
	for _, s := range all {
		syms[s.Name] = s
	}
	return syms
}

func describe(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	syms := symbols(f)
	text, from, err := textStart(f, syms)
	if err != nil {
		return err
	}
	fmt.Printf("text 0x%x %s\n", text, from)
	layout(f)
	sec := f.Section(".gopclntab")
	if sec == nil {
		// PIE up to Go 1.15 (go tool objfile looks there too)
		sec = f.Section(".data.rel.ro.gopclntab")
	}
	if sec == nil {
		return fmt.Errorf("gosym: no .gopclntab section")
	}
	fmt.Printf("section %s\n", sec.Name)
	data, err := sec.Data()
	if err != nil {
		return fmt.Errorf("gosym: reading .gopclntab: %v", err)
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		return fmt.Errorf("gosym: %v", err)
	}
	for _, name := range wanted {
		fn := table.LookupFunc(name)
		if fn == nil {
			fmt.Printf("note gosym: no function %s\n", name)
			continue
		}
		fmt.Printf("func %s 0x%x 0x%x\n", name, fn.Entry, fn.End)
		if s, ok := syms[name]; ok {
			fmt.Printf("symtab %s 0x%x %d\n", name, s.Value, s.Size)
			if s.Value != fn.Entry {
				fmt.Printf("note gosym and .symtab disagree on %s: 0x%x, 0x%x\n", name, fn.Entry, s.Value)
			}
		}
	}
	return nil
}
