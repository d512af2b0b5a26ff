package lx106

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestClock checks the time module on the firmware's clock (CCOUNT): sleeps
// last at least what they ask and ticks_ms, ticks_us and ticks_cpu agree
// with each other at the core's frequency. The upper bounds are generous:
// a loaded host may stop QEMU in the middle of a sleep.
func TestClock(t *testing.T) {
	elfPath := firmware(t)
	hz := cpuHz(t)
	script := `import time
def span(sleep, n):
    m0, u0, c0 = time.ticks_ms(), time.ticks_us(), time.ticks_cpu()
    sleep(n)
    m1, u1, c1 = time.ticks_ms(), time.ticks_us(), time.ticks_cpu()
    print(time.ticks_diff(m1, m0), time.ticks_diff(u1, u0), time.ticks_diff(c1, c0))
span(time.sleep_ms, 50)
span(time.sleep_us, 20000)
span(time.sleep, 0.1)
t = time.ticks_ms()
print(time.ticks_diff(time.ticks_add(t, 5), t), time.ticks_diff(t, time.ticks_add(t, 5)))
`
	start := time.Now()
	stdout, stderr, status := run(t, elfPath, script)
	host := time.Since(start)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if status != 0 || len(lines) != 4 || lines[3] != "5 -5" {
		t.Fatalf("got status %d, output %q (stderr %q); want 4 lines, the last \"5 -5\"", status, stdout, stderr)
	}
	const slack = 2 * time.Second // a loaded host
	var slept time.Duration
	for i, wantUS := range []int64{50000, 20000, 100000} {
		var ms, us, cycles int64
		if _, err := fmt.Sscan(lines[i], &ms, &us, &cycles); err != nil {
			t.Fatalf("line %q: %v", lines[i], err)
		}
		maxUS := wantUS + slack.Microseconds()
		if us < wantUS || us > maxUS {
			t.Errorf("sleep of %d us: ticks_us advanced %d, want %d..%d", wantUS, us, wantUS, maxUS)
		}
		// The three counts come from one clock, read at nearly the same
		// moments (unless the host stops QEMU in between): they agree to a
		// millisecond, as ticks_ms truncates, and a fifth.
		tol := 1000 + us/5
		if d := ms*1000 - us; d < -tol || d > tol {
			t.Errorf("sleep of %d us: ticks_ms advanced %d, ticks_us %d: %d us apart", wantUS, ms, us, d)
		}
		if d := cycles/(hz/1e6) - us; d < -tol || d > tol {
			t.Errorf("sleep of %d us: ticks_cpu advanced %d (%d us at %d Hz), ticks_us %d", wantUS, cycles, cycles/(hz/1e6), hz, us)
		}
		slept += time.Duration(wantUS) * time.Microsecond
	}
	// The sleeps are busy waits on a clock that runs with the host's time.
	if host < slept {
		t.Errorf("QEMU ran %v, less than the %v the script slept", host, slept)
	}
}

// cpuHz returns MPYLD_CPU_HZ of the port's mpconfigport.h.
func cpuHz(t *testing.T) int64 {
	t.Helper()
	src, err := portFS.ReadFile("port/mpconfigport.h")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`#define MPYLD_CPU_HZ +\((\d+)\)`).FindSubmatch(src)
	if m == nil {
		t.Fatal("mpconfigport.h defines no MPYLD_CPU_HZ")
	}
	hz, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return hz
}

// TestClockRate checks the clock's rate against the host's: through the
// raw REPL, ticks_ms is printed, the host waits a second, and ticks_ms is
// printed again. The difference must lie between the host's time from
// seeing the first value to sending the second command and its time from
// sending the first command to seeing the second value. A wrong MPYLD_CPU_HZ
// scales it. While it waits for input the firmware is in the host's
// select(), not spinning.
func TestClockRate(t *testing.T) {
	elfPath := firmware(t)
	argv, err := QEMUArgs(elfPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	values := make(chan int64)
	go func() {
		defer close(values)
		r := bufio.NewReader(stdout)
		re := regexp.MustCompile(`T(\d+)\r?\n`)
		var seen string
		for {
			b, err := r.ReadByte()
			if err != nil {
				io.Copy(io.Discard, r)
				return
			}
			seen += string(b)
			if m := re.FindStringSubmatch(seen); m != nil {
				v, _ := strconv.ParseInt(m[1], 10, 64)
				values <- v
				seen = ""
			}
		}
	}()
	next := func() int64 {
		t.Helper()
		select {
		case v, ok := <-values:
			if !ok {
				t.Fatal("QEMU ended before printing ticks_ms")
			}
			return v
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Fatal("no ticks_ms printed within a minute")
		}
		return 0
	}
	const command = "import time; print('T%d' % time.ticks_ms())\x04"
	sent1 := time.Now()
	io.WriteString(stdin, "\r\x03\x03\r\x01"+command)
	v1 := next()
	seen1 := time.Now()
	time.Sleep(time.Second)
	sent2 := time.Now()
	io.WriteString(stdin, command)
	v2 := next()
	seen2 := time.Now()
	got := time.Duration(v2-v1) * time.Millisecond
	// ticks_ms truncates to whole milliseconds.
	lo, hi := sent2.Sub(seen1)-2*time.Millisecond, seen2.Sub(sent1)+2*time.Millisecond
	if got < lo || got > hi {
		t.Errorf("ticks_ms advanced %v while the host waited %v..%v: the clock runs at the wrong rate", got, lo, hi)
	}
}
