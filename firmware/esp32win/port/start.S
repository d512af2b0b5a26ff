// This file implements the reset entry, the exception vectors and
// setjmp/longjmp of mpyld's esp32win test firmware (windowed ABI) on QEMU's
// sim machine with -cpu de233_fpu. QEMU's sim machine ignores the ELF entry:
// mpyld starts the CPU at _start with -device loader,addr=<_start>,cpu-num=0.
//
// Register windows, as the Xtensa ISA defines them: a frame F's a0-a3 are
// saved in the 16 bytes below the stack pointer of F's callee, and F's a4-a7
// (call8) or a4-a11 (call12) in the 16 or 32 bytes below the 16 that end at
// the stack pointer of F's caller.

#define PS_WOE      (1 << 18)
#define PS_UM       (1 << 5)
#define PS_INTLEVEL (15)
#define EXC_ILLEGAL (0)
#define EXC_ALLOCA  (5)

// Vectors at VECBASE (XEA2 layout; the linker script aligns .vectors to
// 1 KiB). The window vectors run with the window rotated to the frame that
// is spilled or reloaded.
    .section .vectors, "ax"
    .global _vectors
_vectors:
    .org 0x000 // window overflow, call4 frame: a4-a7 are the callee's a0-a3
    s32e a0, a5, -16
    s32e a1, a5, -12
    s32e a2, a5, -8
    s32e a3, a5, -4
    rfwo
    .org 0x040 // window underflow, call4 frame
mpyld_underflow4:
    l32e a0, a5, -16
    l32e a1, a5, -12
    l32e a2, a5, -8
    l32e a3, a5, -4
    rfwu
    .org 0x080 // window overflow, call8 frame: a8-a11 are the callee's a0-a3
    s32e a0, a9, -16
    l32e a0, a1, -12 // the caller's stack pointer
    s32e a1, a9, -12
    s32e a2, a9, -8
    s32e a3, a9, -4
    s32e a4, a0, -32
    s32e a5, a0, -28
    s32e a6, a0, -24
    s32e a7, a0, -20
    rfwo
    .org 0x0c0 // window underflow, call8 frame
mpyld_underflow8:
    l32e a0, a9, -16
    l32e a1, a9, -12
    l32e a2, a9, -8
    l32e a7, a1, -12 // the caller's stack pointer
    l32e a3, a9, -4
    l32e a4, a7, -32
    l32e a5, a7, -28
    l32e a6, a7, -24
    l32e a7, a7, -20
    rfwu
    .org 0x100 // window overflow, call12 frame: a12-a15 are the callee's a0-a3
    s32e a0, a13, -16
    l32e a0, a1, -12
    s32e a1, a13, -12
    s32e a2, a13, -8
    s32e a3, a13, -4
    s32e a4, a0, -48
    s32e a5, a0, -44
    s32e a6, a0, -40
    s32e a7, a0, -36
    s32e a8, a0, -32
    s32e a9, a0, -28
    s32e a10, a0, -24
    s32e a11, a0, -20
    rfwo
    .org 0x140 // window underflow, call12 frame
mpyld_underflow12:
    l32e a0, a13, -16
    l32e a1, a13, -12
    l32e a2, a13, -8
    l32e a11, a1, -12
    l32e a3, a13, -4
    l32e a4, a11, -48
    l32e a5, a11, -44
    l32e a6, a11, -40
    l32e a7, a11, -36
    l32e a8, a11, -32
    l32e a9, a11, -28
    l32e a10, a11, -24
    l32e a11, a11, -20
    rfwu
    .org 0x180 // level 2 interrupt
    wsr a0, excsave1
    movi a0, 0x180
    j fatal_vector
    .org 0x280 // debug
    wsr a0, excsave1
    movi a0, 0x280
    j fatal_vector
    .org 0x2c0 // NMI
    wsr a0, excsave1
    movi a0, 0x2c0
    j fatal_vector
    .org 0x300 // kernel
    wsr a0, excsave1
    movi a0, 0x300
    j fatal_vector
    .org 0x340 // user
    wsr a0, excsave1
    j user_vector
    .org 0x3c0 // double
    wsr a0, excsave1
    movi a0, 0x3c0
    j fatal_vector
    .org 0x400

    .section .vectors.text, "ax"
    .align 4
.Lc_exc_regs:
    .long exc_regs
.Lc_fatal_stack:
    .long _fatal_stack_top
.Lc_mpyld_fatal:
    .long mpyld_fatal
.Lc_mul_mask:
    .long 0xef000f
.Lc_mulh:
    .long 0xa20000
.Lc_ps:
    .long PS_WOE | PS_UM | PS_INTLEVEL

// A user exception: the illegal-instruction handler emulates MULUH and
// MULSH, which de233_fpu lacks and ESP32 code uses; the alloca handler
// reloads the caller's window that MOVSP needs. Anything else is fatal.
user_vector:
    l32r a0, .Lc_exc_regs
    s32i a2, a0, 8
    s32i a3, a0, 12
    rsr a2, exccause
    beqi a2, EXC_ALLOCA, alloca_exc
    beqz a2, illegal_exc
    movi a0, 0x340
    j fatal_vector

// MOVSP found the caller's frame spilled: reload it by the underflow vector
// that fits its size, with PS.OWB set so that RFWU comes back to this
// window and MOVSP runs again.
alloca_exc:
    rsr a2, windowbase
    rsr a3, ps
    extui a0, a3, 8, 4 // clear PS.OWB
    slli a0, a0, 8
    xor a3, a3, a0
    slli a2, a2, 8
    or a3, a3, a2
    wsr a3, ps
    rsync
    l32r a0, .Lc_exc_regs
    l32i a2, a0, 8
    l32i a3, a0, 12
    rsr a0, excsave1
    rotw -1
    bbci a4, 31, 4f // the frame's a0 says how its caller called it
    rotw -1
    bbci a8, 30, 8f
    rotw -1
    j mpyld_underflow12
8:  j mpyld_underflow8
4:  j mpyld_underflow4

// An illegal instruction: MULUH ar, as, at is op0 0, op1 2, op2 0xa;
// MULSH is op2 0xb. All sixteen registers go to exc_regs so that the
// instruction's fields can index them.
illegal_exc:
    s32i a1, a0, 4
    s32i a4, a0, 16
    s32i a5, a0, 20
    s32i a6, a0, 24
    s32i a7, a0, 28
    s32i a8, a0, 32
    s32i a9, a0, 36
    s32i a10, a0, 40
    s32i a11, a0, 44
    s32i a12, a0, 48
    s32i a13, a0, 52
    s32i a14, a0, 56
    s32i a15, a0, 60
    rsr a2, excsave1
    s32i a2, a0, 0
    rsr a2, epc1
    l8ui a3, a2, 0
    l8ui a4, a2, 1
    l8ui a5, a2, 2
    slli a4, a4, 8
    slli a5, a5, 16
    or a3, a3, a4
    or a3, a3, a5 // the instruction
    l32r a4, .Lc_mul_mask
    and a4, a3, a4
    l32r a5, .Lc_mulh // MULUH or MULSH (op2 bit 0 aside)
    beq a4, a5, 3f
    j illegal_fatal
3:
    extui a4, a3, 8, 4 // s
    addx4 a4, a4, a0
    l32i a4, a4, 0
    extui a5, a3, 4, 4 // t
    addx4 a5, a5, a0
    l32i a5, a5, 0
    // The high word of the unsigned 64-bit product, from 16-bit halves.
    extui a6, a4, 0, 16
    extui a7, a4, 16, 16
    extui a8, a5, 0, 16
    extui a9, a5, 16, 16
    mull a10, a6, a8 // lo*lo
    mull a11, a6, a9 // lo(s)*hi(t)
    mull a12, a7, a8 // hi(s)*lo(t)
    mull a13, a7, a9 // hi*hi
    extui a10, a10, 16, 16
    extui a14, a11, 0, 16
    add a10, a10, a14
    extui a14, a12, 0, 16
    add a10, a10, a14 // the middle column
    extui a11, a11, 16, 16
    add a13, a13, a11
    extui a12, a12, 16, 16
    add a13, a13, a12
    extui a10, a10, 16, 16
    add a13, a13, a10
    bbci a3, 20, 1f // MULUH
    // MULSH: subtract t when s is negative, and s when t is negative.
    bgez a4, 2f
    sub a13, a13, a5
2:  bgez a5, 1f
    sub a13, a13, a4
1:  extui a4, a3, 12, 4 // r
    addx4 a4, a4, a0
    s32i a13, a4, 0
    addi a2, a2, 3
    wsr a2, epc1
    l32i a1, a0, 4
    l32i a2, a0, 8
    l32i a3, a0, 12
    l32i a4, a0, 16
    l32i a5, a0, 20
    l32i a6, a0, 24
    l32i a7, a0, 28
    l32i a8, a0, 32
    l32i a9, a0, 36
    l32i a10, a0, 40
    l32i a11, a0, 44
    l32i a12, a0, 48
    l32i a13, a0, 52
    l32i a14, a0, 56
    l32i a15, a0, 60
    l32i a0, a0, 0
    rsync
    rfe

illegal_fatal:
    movi a0, 0x340

// Reports the exception and ends QEMU: the live windows are dropped, and
// mpyld_fatal(vector, cause, pc, vaddr) runs on its own stack.
fatal_vector:
    mov a6, a0
    rsr a7, exccause
    rsr a8, epc1
    rsr a9, excvaddr
    rsr a2, windowbase
    movi a3, 1
    ssl a2
    sll a3, a3
    wsr a3, windowstart
    l32r a2, .Lc_ps
    wsr a2, ps
    rsync
    l32r a1, .Lc_fatal_stack
    l32r a4, .Lc_mpyld_fatal
    movi a0, 0
    callx4 a4
1:  j 1b

    .section .text._start, "ax"
    .align 4
.Lc_vectors:
    .long _vectors
.Lc_stack_top:
    .long _stack_top
.Lc_bss_start:
    .long _bss_start
.Lc_bss_end:
    .long _bss_end
.Lc_main:
    .long main
.Lc_exit:
    .long mpyld_exit
.Lc_ps0:
    .long PS_WOE | PS_UM | PS_INTLEVEL
    .global _start
    .type _start, @function
_start:
    movi a0, 0
    wsr a0, windowbase
    rsync
    movi a2, 1
    wsr a2, windowstart
    l32r a2, .Lc_vectors
    wsr a2, vecbase
    movi a2, 1 // the FPU
    wsr a2, cpenable
    l32r a2, .Lc_ps0
    wsr a2, ps
    rsync
    l32r a1, .Lc_stack_top
    addi a1, a1, -32
    l32r a2, .Lc_bss_start
    l32r a3, .Lc_bss_end
1:  bgeu a2, a3, 2f
    s32i a0, a2, 0
    addi a2, a2, 4
    j 1b
2:  l32r a4, .Lc_main
    callx4 a4
    l32r a4, .Lc_exit
    callx4 a4
3:  j 3b
    .size _start, . - _start

// mpyld_spill_windows stores every live register window in memory: nine
// nested call12 frames of 12 registers overlap the whole register file (32
// registers on de233_fpu, 64 on the ESP32). Returning reloads its caller's.
    .section .text.mpyld_spill_windows, "ax"
    .align 4
    .global mpyld_spill_windows
    .type mpyld_spill_windows, @function
mpyld_spill_windows:
    entry a1, 48
    movi a14, 8
    call12 spill_nest
    retw
    .size mpyld_spill_windows, . - mpyld_spill_windows
    .align 4
spill_nest:
    entry a1, 48
    beqz a2, 1f
    addi a14, a2, -1
    call12 spill_nest
1:  retw

// int setjmp(jmp_buf env): env holds setjmp's a0 and a1, then a copy of
// the save areas of the caller's registers (a0-a3, then 0, 4 or 8 more), as
// they are after every window is spilled. Later spills of the caller
// overwrite those areas; longjmp puts the copy back.
    .section .text.setjmp, "ax"
    .align 4
.Lc_spill:
    .long mpyld_spill_windows
    .global setjmp
    .type setjmp, @function
setjmp:
    entry a1, 48
    l32r a8, .Lc_spill
    callx12 a8
    s32i a0, a2, 0
    s32i a1, a2, 4
    addi a7, a1, -16
    l32i a3, a7, 0
    s32i a3, a2, 8
    l32i a3, a7, 4 // the caller's stack pointer
    s32i a3, a2, 12
    l32i a4, a7, 8
    s32i a4, a2, 16
    l32i a4, a7, 12
    s32i a4, a2, 20
    extui a5, a0, 30, 2 // 1, 2 or 3: how the caller called
    addi a5, a5, -1
    slli a5, a5, 4 // bytes of the caller's extra registers
    beqz a5, 2f
    addi a3, a3, -16
    l32i a3, a3, 4 // the caller's caller's stack pointer
    addi a3, a3, -16
    sub a3, a3, a5
    addi a6, a2, 24
1:  l32i a4, a3, 0
    s32i a4, a6, 0
    addi a3, a3, 4
    addi a6, a6, 4
    addi a5, a5, -4
    bnez a5, 1b
2:  movi a2, 0
    retw
    .size setjmp, . - setjmp

// void longjmp(jmp_buf env, int val): spills every window, puts back the
// caller's save areas, and returns from setjmp with val (1 if it is 0);
// RETW then reloads the caller's registers through the underflow vector.
    .section .text.longjmp, "ax"
    .align 4
.Lc_spill2:
    .long mpyld_spill_windows
    .global longjmp
    .type longjmp, @function
longjmp:
    entry a1, 48
    l32r a8, .Lc_spill2
    callx12 a8
    l32i a4, a2, 4 // setjmp's stack pointer
    addi a9, a4, -16
    l32i a5, a2, 8
    s32i a5, a9, 0
    l32i a5, a2, 12 // the caller's stack pointer
    s32i a5, a9, 4
    l32i a6, a2, 16
    s32i a6, a9, 8
    l32i a6, a2, 20
    s32i a6, a9, 12
    l32i a0, a2, 0
    extui a7, a0, 30, 2
    addi a7, a7, -1
    slli a7, a7, 4
    beqz a7, 2f
    addi a5, a5, -16
    l32i a5, a5, 4
    addi a5, a5, -16
    sub a5, a5, a7
    addi a6, a2, 24
1:  l32i a8, a6, 0
    s32i a8, a5, 0
    addi a5, a5, 4
    addi a6, a6, 4
    addi a7, a7, -4
    bnez a7, 1b
2:  mov a1, a4
    movi a2, 1
    movnez a2, a3, a3
    retw
    .size longjmp, . - longjmp

    .section .bss.exc_regs, "aw"
    .align 4
exc_regs:
    .space 64
