#!/usr/bin/env bash
# Rebuilds the RISC-V test objects.
set -eu
cd "$(dirname "$0")"
cc=riscv64-unknown-elf-gcc
$cc -march=rv64imac -mabi=lp64 -mcmodel=medany -fno-pic -O2 -c -o srodata.o srodata.c
$cc -march=rv32imac -mabi=ilp32 -fpic -Os -c -o tls.o tls.c
