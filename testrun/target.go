// This file implements running one script on a MicroPython: a program that
// reads the script on stdin (the unix port, semihosting firmware), or QEMU
// with the raw REPL on its serial port.

package testrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Outcome is what one run of a script gave.
type Outcome struct {
	// Output is what the script printed, tracebacks included, with "\n"
	// line ends.
	Output string
	// Exception is set when the script ended with an uncaught exception.
	Exception bool
	// Crash says why the machine stopped before the script ended: a hard
	// fault, a signal, an exit, the time limit. Empty when it ended.
	Crash string
}

// Target runs scripts on one MicroPython.
type Target interface {
	// Run runs the parts of one script, in order, in one fresh
	// MicroPython, within limit.
	Run(ctx context.Context, parts [][]byte, limit time.Duration) Outcome
}

// StdinTarget runs Argv with the whole script on its standard input and
// takes standard output and error, in order, as the output. A non-zero
// exit status after a traceback is an exception.
type StdinTarget struct {
	Argv []string
	Dir  string
	// Fault is what the firmware prints when the CPU faults ("" for none).
	Fault string
}

// Run implements Target.
func (t *StdinTarget) Run(ctx context.Context, parts [][]byte, limit time.Duration) Outcome {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.Argv[0], t.Argv[1:]...)
	cmd.Dir = t.Dir
	cmd.Stdin = bytes.NewReader(bytes.Join(parts, []byte("\n")))
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	o := Outcome{Output: normalize(out.String())}
	var ee *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		o.Crash = fmt.Sprintf("no end within the time limit of %s (hang?)", limit)
	case ctx.Err() != nil:
		o.Crash = "interrupted"
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.Crash = fmt.Sprintf("killed by signal %s (%s)", signalName(ws.Signal()), ws.Signal())
		} else if t.Fault != "" && strings.Contains(o.Output, t.Fault) {
			o.Crash = "hard fault: " + faultLine(o.Output, t.Fault)
		} else if strings.Contains(o.Output, "Traceback (most recent call last)") {
			o.Exception = true
		} else {
			o.Crash = fmt.Sprintf("%s exited with status %d", t.Argv[0], ee.ExitCode())
		}
	case err != nil:
		o.Crash = err.Error()
	}
	return o
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGBUS:
		return "SIGBUS"
	case syscall.SIGILL:
		return "SIGILL"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGFPE:
		return "SIGFPE"
	case syscall.SIGKILL:
		return "SIGKILL"
	}
	return fmt.Sprintf("%d", int(s))
}

// REPLTarget runs Argv (QEMU with the board's serial port on stdio) for
// each script and drives MicroPython's raw REPL: Ctrl-A enters it, each
// part goes in paste mode (with flow control) and ends with Ctrl-D, and the
// board answers with the output, Ctrl-D, the error output, Ctrl-D and ">".
type REPLTarget struct {
	Argv []string
	// Fault is what the firmware prints when the CPU faults.
	Fault string
	// Boot is how long the board may take to offer the raw REPL.
	Boot time.Duration
}

// Run implements Target.
func (t *REPLTarget) Run(ctx context.Context, parts [][]byte, limit time.Duration) Outcome {
	boot := t.Boot
	if boot == 0 {
		boot = 20 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.Argv[0], t.Argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Outcome{Crash: err.Error()}
	}
	c := &console{changed: make(chan struct{}, 1)}
	cmd.Stdout = c
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return Outcome{Crash: err.Error()}
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		cancel()
		<-exited
	}()
	r := &replSession{c: c, exited: exited, fault: t.Fault}
	stopped := func(during string) Outcome {
		o := Outcome{Output: normalize(r.output.String() + c.since(r.mark))}
		switch {
		case r.crash != "":
			o.Crash = r.crash
		case r.timedOut:
			o.Crash = fmt.Sprintf("no end within the time limit of %s %s (hang?)", limit, during)
		default:
			<-exited
			msg := strings.TrimSpace(stderr.String())
			if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
				msg = msg[i+1:]
			}
			o.Crash = fmt.Sprintf("%s exited (%v) %s", t.Argv[0], waitErr, during)
			if msg != "" {
				o.Crash += ": " + msg
			}
		}
		return o
	}
	// Interrupt whatever runs, then enter the raw REPL.
	io.WriteString(stdin, "\r\x03\x03\r\x01")
	if !r.waitFor(ctx, "raw REPL; CTRL-B to exit\r\n>", time.Now().Add(boot)) {
		return stopped("before the raw REPL came up")
	}
	deadline := time.Now().Add(limit)
	var o Outcome
	for _, p := range parts {
		if bytes.IndexByte(p, 4) >= 0 {
			return Outcome{Crash: "the script holds a Ctrl-D byte, which ends a raw REPL input"}
		}
		if !r.rawPaste(ctx, stdin, p, deadline) {
			return stopped("while the script was sent")
		}
		if !r.waitFor(ctx, "\x04", deadline) {
			return stopped("while the script ran")
		}
		out := r.taken
		if !r.waitFor(ctx, "\x04", deadline) {
			r.output.WriteString(out)
			return stopped("while the script ran")
		}
		errOut := r.taken
		if !r.waitFor(ctx, ">", deadline) {
			return stopped("after the script ran")
		}
		r.output.WriteString(out + errOut)
		if errOut != "" {
			o.Exception = true
			break
		}
	}
	o.Output = normalize(r.output.String())
	return o
}

// rawPaste sends one script part in the raw REPL's paste mode (Ctrl-E A
// Ctrl-A), which has the board grant room before each window of input: a
// board whose UART keeps a small buffer drops what it cannot take, and a
// lost Ctrl-D would leave the run waiting. It returns false when the board
// stopped, faulted or the deadline passed.
func (r *replSession) rawPaste(ctx context.Context, w io.Writer, p []byte, deadline time.Time) bool {
	io.WriteString(w, "\x05A\x01")
	hdr, ok := r.read(ctx, 4, deadline)
	if !ok {
		return false
	}
	if hdr[:2] != "R\x01" {
		r.crash = fmt.Sprintf("the board does not offer the raw REPL's paste mode (answered %q)", hdr[:2])
		return false
	}
	window := int(hdr[2]) | int(hdr[3])<<8
	room := window
	for off := 0; off < len(p); {
		// The board sends Ctrl-A for each window it has room for again,
		// and Ctrl-D when it wants the input to end early.
		for _, c := range []byte(r.c.since(r.mark)) {
			r.mark++
			switch c {
			case 1:
				room += window
			case 4:
				io.WriteString(w, "\x04")
				return true
			}
		}
		if room == 0 {
			if _, ok := r.read(ctx, 1, deadline); !ok {
				return false
			}
			r.mark-- // looked at, not taken: the loop above reads it
			continue
		}
		n := min(room, len(p)-off)
		if _, err := w.Write(p[off : off+n]); err != nil {
			return false
		}
		off += n
		room -= n
	}
	io.WriteString(w, "\x04")
	return r.waitFor(ctx, "\x04", deadline) // the board's end of input
}

// read consumes the next n bytes of the console.
func (r *replSession) read(ctx context.Context, n int, deadline time.Time) (string, bool) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		if s := r.c.since(r.mark); len(s) >= n {
			r.mark += n
			return s[:n], true
		}
		select {
		case <-r.c.changed:
		case <-r.exited:
			if s := r.c.since(r.mark); len(s) >= n {
				r.mark += n
				return s[:n], true
			}
			return "", false
		case <-timer.C:
			r.timedOut = true
			return "", false
		case <-ctx.Done():
			r.crash = "interrupted"
			return "", false
		}
	}
}

// replSession reads the console of one run.
type replSession struct {
	c        *console
	exited   chan struct{}
	fault    string
	mark     int    // console bytes consumed
	taken    string // what the last waitFor consumed, before its pattern
	output   strings.Builder
	crash    string
	timedOut bool
}

// waitFor consumes the console up to and including pattern. It returns
// false when the machine stopped, faulted or the deadline passed.
func (r *replSession) waitFor(ctx context.Context, pattern string, deadline time.Time) bool {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		s := r.c.since(r.mark)
		if i := strings.Index(s, pattern); i >= 0 {
			r.taken = s[:i]
			r.mark += i + len(pattern)
			return true
		}
		if r.fault != "" && strings.Contains(s, r.fault) {
			// Let the register dump finish, for the report.
			time.Sleep(300 * time.Millisecond)
			s = r.c.since(r.mark)
			r.crash = "hard fault: " + faultLine(s, r.fault)
			return false
		}
		select {
		case <-r.c.changed:
		case <-r.exited:
			s := r.c.since(r.mark)
			if i := strings.Index(s, pattern); i >= 0 {
				r.taken = s[:i]
				r.mark += i + len(pattern)
				return true
			}
			return false
		case <-timer.C:
			r.timedOut = true
			return false
		case <-ctx.Done():
			r.crash = "interrupted"
			return false
		}
	}
}

// faultLine is the firmware's fault message, with the program counter
// when its register dump names it (R15 on ARM, MEPC on RISC-V).
func faultLine(out, fault string) string {
	i := strings.Index(out, fault)
	if i < 0 {
		return fault
	}
	start := strings.LastIndexByte(out[:i], '\n') + 1
	end := strings.IndexByte(out[i:], '\n')
	if end < 0 {
		end = len(out) - i
	}
	msg := strings.TrimSuffix(strings.TrimSpace(out[start:i+end]), ":")
	for _, reg := range []string{"R15:", "MEPC="} {
		if k := strings.Index(out[i:], reg); k >= 0 {
			if f := strings.Fields(out[i+k+len(reg):]); len(f) > 0 {
				msg += " at pc 0x" + strings.ToLower(f[0])
			}
			break
		}
	}
	// RISC-V names the cause: "MCAUSE=00000001 (Instruction address fault)".
	if k := strings.Index(out[i:], "MCAUSE="); k >= 0 {
		rest := out[i+k:]
		if e := strings.IndexByte(rest, '\n'); e >= 0 {
			rest = rest[:e]
		}
		if a, b := strings.IndexByte(rest, '('), strings.LastIndexByte(rest, ')'); a >= 0 && b > a {
			msg += " (" + rest[a+1:b] + ")"
		}
	}
	return msg
}

// console collects a board's serial output.
type console struct {
	mu      sync.Mutex
	buf     []byte
	changed chan struct{}
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.buf = append(c.buf, p...)
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *console) since(off int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off > len(c.buf) {
		return ""
	}
	return string(c.buf[off:])
}

// lockedBuffer is a bytes.Buffer two writers share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// normalize turns "\r\n" into "\n".
func normalize(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
