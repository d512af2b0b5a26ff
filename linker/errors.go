// This file implements the error list one link gathers before it stops.

package linker

import (
	"fmt"
	"sort"
	"strings"
)

// maxErrors caps how many errors one link reports.
const maxErrors = 20

// Errors is the sorted list of problems found by one link.
type Errors []error

func (e Errors) Error() string {
	var b strings.Builder
	for i, err := range e {
		if i == maxErrors {
			fmt.Fprintf(&b, "\nand %d more", len(e)-maxErrors)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (e Errors) Unwrap() []error { return e }

// errList gathers errors, once each.
type errList struct {
	errs []error
	seen map[string]bool
}

func (l *errList) add(err error) {
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if l.seen[err.Error()] {
		return
	}
	l.seen[err.Error()] = true
	l.errs = append(l.errs, err)
}

func (l *errList) addf(format string, args ...any) { l.add(fmt.Errorf(format, args...)) }

// err returns the gathered errors sorted, or nil.
func (l *errList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	errs := append(Errors(nil), l.errs...)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}
