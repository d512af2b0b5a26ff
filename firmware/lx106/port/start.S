// This file implements the reset entry and the exception vectors of mpyld's
// lx106 test firmware (call0 ABI). QEMU's sim machine ignores the ELF entry:
// mpyld starts the CPU at _start with -device loader,addr=<_start>,cpu-num=0.

// Exception vectors, at VECBASE (the linker script aligns .vectors to 1 KiB).
// Each one puts its offset in a2 and jumps to a common handler that reports
// the exception and ends QEMU.
    .section .vectors, "ax"
    .global _vectors
_vectors:
    .org 0x10 // level 2 and debug
    wsr a2, excsave1
    movi a2, 0x10
    j fatal_vector
    .org 0x20 // NMI
    wsr a2, excsave1
    movi a2, 0x20
    j fatal_vector
    .org 0x30 // kernel
    wsr a2, excsave1
    movi a2, 0x30
    j fatal_vector
    .org 0x50 // user
    wsr a2, excsave1
    movi a2, 0x50
    j fatal_vector
    .org 0x70 // double
    wsr a2, excsave1
    movi a2, 0x70
    j fatal_vector

    .section .vectors.text, "ax"
    .literal_position
    .align 4
fatal_vector:
    rsr a3, exccause
    rsr a4, epc1
    rsr a5, excvaddr
    movi a1, _fatal_stack_top
    movi a0, 0
    call0 mpyld_fatal
1:  j 1b

    .section .text._start, "ax"
    .literal_position
    .align 4
    .global _start
    .type _start, @function
_start:
    movi a0, 0
    movi a2, _vectors
    wsr a2, vecbase
    // PS: user vector mode (UM), interrupts off (INTLEVEL 15), EXCM clear.
    movi a2, 0x2f
    wsr a2, ps
    rsync
    movi a1, _stack_top
    movi a2, _bss_start
    movi a3, _bss_end
1:  bgeu a2, a3, 2f
    s32i a0, a2, 0
    addi a2, a2, 4
    j 1b
2:  call0 main
    call0 mpyld_exit
3:  j 3b
    .size _start, . - _start
