// Command mpyld builds and links MicroPython native modules (.mpy).
package main

import "os"

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
