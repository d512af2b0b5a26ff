#!/bin/sh
# Rebuilds the strlen objects (Debian 12 cross compilers).
set -e
cd "$(dirname "$0")"
f="-std=c99 -Os -fpic -fno-common -U_FORTIFY_SOURCE -fno-tree-loop-distribute-patterns -c strlen.c"
gcc -m32 -fno-stack-protector $f -o x86.o
gcc -fno-stack-protector $f -o x64.o
arm-none-eabi-gcc -mthumb -mcpu=cortex-m0 $f -o armv6m.o
arm-none-eabi-gcc -mthumb -mcpu=cortex-m3 $f -o armv7m.o
arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard $f -o armv7emsp.o
arm-none-eabi-gcc -mthumb -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard $f -o armv7emdp.o
xtensa-lx106-elf-gcc -mforce-l32 $f -o xtensa.o
riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -mno-relax $f -o rv32imc.o
riscv64-unknown-elf-gcc -march=rv64imac -mabi=lp64 -mno-relax $f -o rv64imc.o
