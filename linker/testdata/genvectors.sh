#!/usr/bin/env bash
# Makes relocation vectors with GNU as and ld: the bytes the assembler leaves
# in an object at a relocation, and the bytes ld writes when the code sits at
# P and the symbol at S. Output lines: TYPE P=0x.. S=0x.. <before> -> <after>
set -eu
t=$(mktemp -d); trap 'rm -rf $t' EXIT
hexat() { # file vaddr count
  "$OBJDUMP" -s --start-address=$(($2)) --stop-address=$(($2 + $3)) "$1" | awk 'NR>4 {print $2 $3 $4 $5}' | tr -d '\n' | cut -c1-$(($3*2)); }
vec() { # type asm P S size
  printf '%s\n' "$2" > $t/a.s
  $AS $ASFLAGS -o $t/a.o $t/a.s
  before=$("$OBJDUMP" -s -j .text $t/a.o | awk 'NR>4 {print $2 $3 $4 $5}' | tr -d '\n' | cut -c1-$(($5*2)))
  $LD $LDFLAGS -Ttext=$3 --defsym target=$4 -o $t/a.out $t/a.o 2>/dev/null
  after=$(hexat $t/a.out $3 $5)
  echo "$1 P=$3 S=$4 $before -> $after"
}
case "$1" in
arm)
  AS=arm-none-eabi-as ASFLAGS="-mthumb -mcpu=cortex-m3" LD=arm-none-eabi-ld LDFLAGS= OBJDUMP=arm-none-eabi-objdump
  for ps in "0x1000 0x2000" "0x2000 0x1000" "0x100 0x104" "0x10000 0x3f0000" "0x3f0000 0x10000" "0x1002 0x1000"; do
    set -- $ps
    vec R_ARM_THM_CALL ".thumb
.syntax unified
bl target" $1 $2 4
    vec R_ARM_THM_JUMP24 ".thumb
.syntax unified
b.w target" $1 $2 4
  done ;;
riscv)
  AS=riscv64-unknown-elf-as ASFLAGS="-march=rv32imac -mabi=ilp32 -mno-relax" LD=riscv64-unknown-elf-ld LDFLAGS="-m elf32lriscv --no-relax" OBJDUMP=riscv64-unknown-elf-objdump
  for ps in "0x1000 0x2000" "0x2000 0x1000" "0x1000 0x1ffe" "0x10000 0x12345678" "0x1000 0x1800" "0x1800 0x1000"; do
    set -- $ps
    vec R_RISCV_CALL_PLT "call target" $1 $2 8
    vec R_RISCV_PCREL_HI20+LO12_I "1: auipc a0, %pcrel_hi(target)
addi a0, a0, %pcrel_lo(1b)" $1 $2 8
    vec R_RISCV_PCREL_HI20+LO12_S "1: auipc a0, %pcrel_hi(target)
sw a1, %pcrel_lo(1b)(a0)" $1 $2 8
  done
  for ps in "0x1000 0x2000" "0x2000 0x1000" "0x1000 0x1002" "0x10000 0x8ff00"; do
    set -- $ps
    vec R_RISCV_JAL "jal target" $1 $2 4
  done
  for ps in "0x1000 0x1ffe" "0x2000 0x1000" "0x1000 0x1002" "0x1000 0x1004"; do
    set -- $ps
    vec R_RISCV_BRANCH ".reloc ., R_RISCV_BRANCH, target
.word 0x00b50063" $1 $2 4
  done
  for ps in "0x1000 0x17fe" "0x1000 0x800" "0x1000 0x1002" "0x1000 0x1100"; do
    set -- $ps
    vec R_RISCV_RVC_JUMP ".reloc ., R_RISCV_RVC_JUMP, target
.half 0xa001" $1 $2 2
  done
  for ps in "0x1000 0x10fe" "0x1000 0xf00" "0x1000 0x1002" "0x1000 0x1044"; do
    set -- $ps
    vec R_RISCV_RVC_BRANCH ".reloc ., R_RISCV_RVC_BRANCH, target
.half 0xc101" $1 $2 2
  done ;;
xtensa)
  AS=xtensa-lx106-elf-as ASFLAGS="--no-transform" LD=xtensa-lx106-elf-ld LDFLAGS="--no-relax" OBJDUMP=xtensa-lx106-elf-objdump
  for ps in "0x1000 0x2000" "0x2000 0x1000" "0x1001 0x1100" "0x1003 0x1f000"; do
    set -- $ps
    vec R_XTENSA_SLOT0_OP:call0 "call0 target" $1 $2 3
    vec R_XTENSA_SLOT0_OP:j "j target" $1 $2 3
  done
  for ps in "0x2000 0x1000" "0x2001 0x1ffc" "0x2003 0x2000" "0x40000 0x4"; do
    set -- $ps
    vec R_XTENSA_SLOT0_OP:l32r "l32r a2, target" $1 $2 3
  done ;;
xtensa-llvm)
  # LLVM's assembler leaves 0xffff in the field of an l32r at an address
  # that is not a multiple of 4 (0 at one that is): the instruction follows
  # k pad bytes, and GNU ld (lx106) links it with the code at P - k.
  AS=llvm-mc-22 ASFLAGS="-triple=xtensa -mcpu=esp32 -filetype=obj" LD=xtensa-lx106-elf-ld LDFLAGS="--no-relax" OBJDUMP=xtensa-lx106-elf-objdump
  for pks in "0x2001 1 0x1ffc" "0x2002 2 0x1000" "0x2003 3 0x2000" "0x2004 0 0x1000" "0x40001 1 0x4"; do
    set -- $pks
    printf '.text\n.rept %d\n.byte 0\n.endr\nl32r a2, target\n' $2 > $t/a.s
    $AS $ASFLAGS -o $t/a.o $t/a.s
    before=$("$OBJDUMP" -s -j .text $t/a.o | awk 'NR>4 {print $2 $3 $4 $5}' | tr -d '\n' | cut -c$(($2*2+1))-$(($2*2+6)))
    $LD $LDFLAGS -Ttext=$(printf '%#x' $(($1 - $2))) --defsym target=$3 -o $t/a.out $t/a.o 2>/dev/null
    echo "R_XTENSA_SLOT0_OP:l32r P=$1 S=$3 $before -> $(hexat $t/a.out $1 3)"
  done ;;
esac
