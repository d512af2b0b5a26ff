// This file implements mpyld's Xtensa test firmwares (lx106 and esp32win):
// a MicroPython that runs under QEMU's Xtensa "sim" machine with its console
// on semihosting. The port's mpconfigport.h gives the offsets of its user
// and double exception vectors, and the ESP8266's its ROM's range.
//
// Three ways to use it:
// - a file: with -semihosting-config arg=firmware,arg=PATH the host file PATH
//   is read through semihosting, compiled and run once (status as below);
// - a script, when the first byte on standard input is none of those below:
//   everything up to the end of input is compiled and run once;
//   the exit status is 0, 1 after an uncaught exception, or SystemExit's code;
// - a REPL: input that starts with Ctrl-A, Ctrl-B, Ctrl-C or a carriage
//   return (what pyboard.py sends first) gets MicroPython's friendly and raw
//   REPLs; the end of input ends QEMU with status 0.
// A CPU exception, or a script from standard input reading past its end,
// ends QEMU with status 3 and a line on standard error; a file that cannot
// be opened, with status 2.

#include <stdint.h>
#include <string.h>

#include "py/builtin.h"
#include "py/compile.h"
#include "py/gc.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stackctrl.h"
#include "py/stream.h"
#include "shared/runtime/pyexec.h"

#define HEAP_SIZE (2 * 1024 * 1024)
#define STACK_LIMIT (240 * 1024) // the linker script reserves 256 KiB

#define EXIT_FATAL (3)

// Semihosting calls of QEMU's Xtensa sim machine: a2 is the call number,
// a3..a5 its arguments; the result comes back in a2, an errno in a3.
enum {
    SYS_EXIT = 1,
    SYS_READ = 3,
    SYS_WRITE = 4,
    SYS_OPEN = 5,
    SYS_CLOSE = 6,
    SYS_SELECT_ONE = 29,
    SYS_ARGC = 1000,
    SYS_ARGV_SZ = 1001,
    SYS_ARGV = 1002,
};

#define EXIT_NO_FILE (2)

#define SIM_EAGAIN (11)

static int simcall(int nr, int arg1, int arg2, int arg3, int *err) {
    register int a2 __asm__ ("a2") = nr;
    register int a3 __asm__ ("a3") = arg1;
    register int a4 __asm__ ("a4") = arg2;
    register int a5 __asm__ ("a5") = arg3;
    // simcall, written as bytes: binutils only knows it for some cores.
    __asm__ volatile (".byte 0x00, 0x51, 0x00" : "+r" (a2), "+r" (a3) : "r" (a4), "r" (a5) : "memory");
    if (err != NULL) {
        *err = a3;
    }
    return a2;
}

__attribute__((noreturn)) void mpyld_exit(int status);

void mpyld_exit(int status) {
    for (;;) {
        simcall(SYS_EXIT, status, 0, 0, NULL);
    }
}

static void sim_write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        int n = simcall(SYS_WRITE, fd, (int)buf, (int)len, NULL);
        if (n <= 0) {
            return;
        }
        buf += n;
        len -= n;
    }
}

#ifdef MPYLD_CPU_HZ
#define SELECT_ONE_READ (1)
#define CLOCK_WAIT_S (10)

// Waits until fd has input, looking at the clock (clock.c) at least every
// CLOCK_WAIT_S seconds, so that no wrap of CCOUNT passes unseen while the
// firmware waits for console input: the host's select() with a timeout
// (QEMU's select_one; on a chardev console it answers at once). An error
// ends the wait: the read that follows reports it.
static void sim_wait_input(int fd) {
    for (;;) {
        uint32_t timeout[2] = { CLOCK_WAIT_S, 0 }; // struct timeval
        int n = simcall(SYS_SELECT_ONE, fd, SELECT_ONE_READ, (int)timeout, NULL);
        mpyld_clock_poll();
        if (n != 0) {
            return;
        }
    }
}
#endif

// Reads at least one byte, waiting for it; returns 0 at the end of input.
static int sim_read(int fd, char *buf, size_t len) {
    for (;;) {
        int err;
        #ifdef MPYLD_CPU_HZ
        sim_wait_input(fd);
        #endif
        int n = simcall(SYS_READ, fd, (int)buf, (int)len, &err);
        if (n >= 0) {
            return n;
        }
        if (err != SIM_EAGAIN) {
            return 0;
        }
        // A chardev console has nothing yet: poll again.
    }
}

/******************************************************************************/
// The console.

static char in_buf[256];
static size_t in_pos, in_len;
static bool repl_mode;

// Returns the next byte of standard input, or -1 at its end.
static int console_getc(void) {
    if (in_pos == in_len) {
        int n = sim_read(0, in_buf, sizeof(in_buf));
        if (n <= 0) {
            return -1;
        }
        in_pos = 0;
        in_len = n;
    }
    return (unsigned char)in_buf[in_pos++];
}

// Looks at the first byte of input without taking it.
static int console_peek(void) {
    int c = console_getc();
    if (c >= 0) {
        in_pos--;
    }
    return c;
}

static const mp_print_t stderr_print;

// The end of input ends a REPL session normally; a script that reads past it
// (the script itself came from standard input) ends as a failure, not a pass.
int mp_hal_stdin_rx_chr(void) {
    int c = console_getc();
    if (c < 0) {
        if (!repl_mode) {
            mp_printf(&stderr_print, "FATAL: the script read standard input past its end\n");
            mpyld_exit(EXIT_FATAL);
        }
        mpyld_exit(0);
    }
    return c;
}

uintptr_t mp_hal_stdio_poll(uintptr_t poll_flags) {
    uintptr_t ret = 0;
    if ((poll_flags & MP_STREAM_POLL_RD) && in_pos < in_len) {
        ret |= MP_STREAM_POLL_RD;
    }
    if (poll_flags & MP_STREAM_POLL_WR) {
        ret |= MP_STREAM_POLL_WR;
    }
    return ret;
}

// Returns the length written from v1.22 on (micropython#11850), nothing before.
#if MICROPY_VERSION_MAJOR == 1 && MICROPY_VERSION_MINOR < 22
void mp_hal_stdout_tx_strn(const char *str, size_t len) {
    sim_write_all(1, str, len);
}
#else
mp_uint_t mp_hal_stdout_tx_strn(const char *str, size_t len) {
    sim_write_all(1, str, len);
    return len;
}
#endif

void mp_hal_stdout_tx_str(const char *str) {
    mp_hal_stdout_tx_strn(str, strlen(str));
}

// Scripts print "\n" like the unix port; the REPL prints "\r\n" like a board.
void mp_hal_stdout_tx_strn_cooked(const char *str, size_t len) {
    if (!repl_mode) {
        mp_hal_stdout_tx_strn(str, len);
        return;
    }
    const char *last = str;
    for (const char *p = str; p < str + len; p++) {
        if (*p == '\n') {
            mp_hal_stdout_tx_strn(last, p - last);
            mp_hal_stdout_tx_strn("\r\n", 2);
            last = p + 1;
        }
    }
    mp_hal_stdout_tx_strn(last, str + len - last);
}

static void stderr_strn(void *env, const char *str, size_t len) {
    (void)env;
    sim_write_all(2, str, len);
}

static const mp_print_t stderr_print = {NULL, stderr_strn};

/******************************************************************************/
// Running code.

// Compiles and runs a script; returns the exit status.
static int run_script(qstr name, const char *src, size_t len) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_lexer_t *lex = mp_lexer_new_from_str_len(name, src, len, 0);
        qstr source_name = lex->source_name;
        mp_parse_tree_t parse_tree = mp_parse(lex, MP_PARSE_FILE_INPUT);
        mp_obj_t module_fun = mp_compile(&parse_tree, source_name, false);
        mp_call_function_0(module_fun);
        nlr_pop();
        return 0;
    }
    mp_obj_t exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)), MP_OBJ_FROM_PTR(&mp_type_SystemExit))) {
        mp_obj_t value = mp_obj_exception_get_value(exc);
        mp_int_t code;
        if (value == mp_const_none) {
            return 0;
        }
        if (mp_obj_get_int_maybe(value, &code)) {
            return code & 0xff;
        }
        mp_obj_print(value, PRINT_STR);
        mp_hal_stdout_tx_strn("\n", 1);
        return 1;
    }
    mp_obj_print_exception(&mp_plat_print, exc);
    return 1;
}

static void vm_init(char *stack_top) {
    mp_stack_set_top(stack_top);
    mp_stack_set_limit(STACK_LIMIT);
    static uint32_t heap[HEAP_SIZE / sizeof(uint32_t)];
    gc_init(heap, (char *)heap + sizeof(heap));
    mp_init();
}

// Runs the host file named by the second semihosting argument.
static int run_file(void) {
    int size = simcall(SYS_ARGV_SZ, 0, 0, 0, NULL);
    char **argv = m_new(char *, (size + sizeof(char *) - 1) / sizeof(char *));
    simcall(SYS_ARGV, (int)argv, 0, 0, NULL);
    const char *path = argv[1];
    int err;
    int fd = simcall(SYS_OPEN, (int)path, 0, 0, &err); // O_RDONLY
    if (fd < 0) {
        mp_printf(&stderr_print, "can't open file '%s': errno %d\n", path, err);
        return EXIT_NO_FILE;
    }
    vstr_t src;
    vstr_init(&src, 4096);
    for (;;) {
        char buf[256];
        int n = simcall(SYS_READ, fd, (int)buf, sizeof(buf), NULL);
        if (n <= 0) {
            break;
        }
        vstr_add_strn(&src, buf, n);
    }
    simcall(SYS_CLOSE, fd, 0, 0, NULL);
    return run_script(qstr_from_str(path), src.buf, src.len);
}

int main(void) {
    char stack_top;
    if (simcall(SYS_ARGC, 0, 0, 0, NULL) >= 2) {
        vm_init(&stack_top);
        return run_file();
    }
    int c = console_peek();
    repl_mode = c == 0x01 || c == 0x02 || c == 0x03 || c == '\r';
    vm_init(&stack_top);

    if (!repl_mode) {
        vstr_t src;
        vstr_init(&src, 4096);
        while ((c = console_getc()) >= 0) {
            vstr_add_byte(&src, c);
        }
        return run_script(MP_QSTR__lt_stdin_gt_, src.buf, src.len);
    }

    for (;;) {
        for (;;) {
            if (pyexec_mode_kind == PYEXEC_MODE_RAW_REPL) {
                if (pyexec_raw_repl() != 0) {
                    break;
                }
            } else {
                if (pyexec_friendly_repl() != 0) {
                    break;
                }
            }
        }
        mp_hal_stdout_tx_str("MPY: soft reboot\r\n");
        gc_sweep_all();
        mp_deinit();
        vm_init(&stack_top);
    }
}

/******************************************************************************/
// Garbage collection, and ends that cannot be recovered from.

#if MICROPY_EMIT_XTENSAWIN
// start.S: stores every live register window on the stack.
void mpyld_spill_windows(void);
#endif

void gc_collect(void) {
    #if MICROPY_EMIT_XTENSAWIN
    // The windowed ABI keeps the callers' values in register windows: spill
    // them onto the stack, then scan the stack up to its top, from the 16
    // bytes below this function's stack pointer, where the caller's a0-a3
    // went.
    mpyld_spill_windows();
    uint32_t *regs;
    __asm__ volatile ("mov %0, a1" : "=r" (regs));
    regs -= 4;
    #else
    // The call0 ABI keeps a caller's values in a12..a15 across calls: put them
    // on the stack, then scan the stack up to its top.
    uint32_t regs[4];
    __asm__ volatile (
        "s32i a12, %0, 0\n"
        "s32i a13, %0, 4\n"
        "s32i a14, %0, 8\n"
        "s32i a15, %0, 12\n"
        : : "r" (regs) : "memory");
    #endif
    gc_collect_start();
    void **sp = (void **)regs;
    gc_collect_root(sp, ((uintptr_t)MP_STATE_THREAD(stack_top) - (uintptr_t)sp) / sizeof(void *));
    gc_collect_end();
}

void nlr_jump_fail(void *val) {
    mp_printf(&stderr_print, "FATAL: uncaught NLR %p\n", val);
    mpyld_exit(EXIT_FATAL);
}

static const char *exccause_name(uint32_t cause) {
    switch (cause) {
        case 0:
            return "IllegalInstruction";
        case 2:
            return "InstructionFetchError";
        case 3:
            return "LoadStoreError";
        case 6:
            return "IntegerDivideByZero";
        case 9:
            return "LoadStoreAlignment";
        case 12:
            return "InstrPIFDataError";
        case 13:
            return "LoadStorePIFDataError";
        case 14:
            return "InstrPIFAddrError";
        case 15:
            return "LoadStorePIFAddrError";
        case 20:
            return "InstFetchProhibited";
        case 28:
            return "LoadProhibited";
        case 29:
            return "StoreProhibited";
        default:
            return "exception";
    }
}

// Called by the exception vectors of start.S on a fresh stack.
void mpyld_fatal(uint32_t vector, uint32_t cause, uint32_t pc, uint32_t vaddr) {
    if (vector == MPYLD_VECTOR_USER || vector == MPYLD_VECTOR_DOUBLE) {
        mp_printf(&stderr_print, "FATAL: %s (EXCCAUSE %u) at pc=0x%08x, vaddr=0x%08x\n",
            exccause_name(cause), (unsigned)cause, (unsigned)pc, (unsigned)vaddr);
        #ifdef MPYLD_ROM_NAME
        if (pc >= MPYLD_ROM_START && pc < MPYLD_ROM_END) {
            mp_printf(&stderr_print, "FATAL: a call to the %s ROM at 0x%08x, which this firmware does not provide\n", MPYLD_ROM_NAME, (unsigned)pc);
        }
        #endif
    } else {
        mp_printf(&stderr_print, "FATAL: unexpected exception vector +0x%02x\n", (unsigned)vector);
    }
    mpyld_exit(EXIT_FATAL);
}
