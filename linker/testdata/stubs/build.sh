#!/usr/bin/env bash
# Rebuilds the stub test objects with the natmod compiler flags of each arch.
set -eu
cd "$(dirname "$0")"
common="-Os -fpic -fno-common -U_FORTIFY_SOURCE -Wall -Werror -std=c99 -c"
gcc -m32 -fno-stack-protector $common -o x86.o stubs.c
gcc -fno-stack-protector $common -o x64.o stubs.c
arm-none-eabi-gcc -mthumb -mcpu=cortex-m0 $common -o armv6m.o stubs.c
arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard $common -o armv7emsp.o stubs.c
riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -mno-relax $common -o rv32imc.o stubs.c
riscv64-unknown-elf-gcc -march=rv64imac -mabi=lp64 -mno-relax $common -o rv64imc.o stubs.c
xtensa-lx106-elf-gcc -mforce-l32 $common -o xtensa.o stubs.c
