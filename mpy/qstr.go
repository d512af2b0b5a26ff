// This file implements the static qstr list shared by every MicroPython
// firmware and the escaping that turns qstr strings into C identifiers.

package mpy

import (
	"fmt"
	"sync"
)

// StaticQstrs lists the strings with fixed qstr IDs 1..165 (index+1), the
// same in every firmware from v1.19 to v1.28.
var StaticQstrs = [...]string{
	"",
	"__dir__",
	"\n",
	" ",
	"*",
	"/",
	"<module>",
	"_",
	"__call__",
	"__class__",
	"__delitem__",
	"__enter__",
	"__exit__",
	"__getattr__",
	"__getitem__",
	"__hash__",
	"__init__",
	"__int__",
	"__iter__",
	"__len__",
	"__main__",
	"__module__",
	"__name__",
	"__new__",
	"__next__",
	"__qualname__",
	"__repr__",
	"__setitem__",
	"__str__",
	"ArithmeticError",
	"AssertionError",
	"AttributeError",
	"BaseException",
	"EOFError",
	"Ellipsis",
	"Exception",
	"GeneratorExit",
	"ImportError",
	"IndentationError",
	"IndexError",
	"KeyError",
	"KeyboardInterrupt",
	"LookupError",
	"MemoryError",
	"NameError",
	"NoneType",
	"NotImplementedError",
	"OSError",
	"OverflowError",
	"RuntimeError",
	"StopIteration",
	"SyntaxError",
	"SystemExit",
	"TypeError",
	"ValueError",
	"ZeroDivisionError",
	"abs",
	"all",
	"any",
	"append",
	"args",
	"bool",
	"builtins",
	"bytearray",
	"bytecode",
	"bytes",
	"callable",
	"chr",
	"classmethod",
	"clear",
	"close",
	"const",
	"copy",
	"count",
	"dict",
	"dir",
	"divmod",
	"end",
	"endswith",
	"eval",
	"exec",
	"extend",
	"find",
	"format",
	"from_bytes",
	"get",
	"getattr",
	"globals",
	"hasattr",
	"hash",
	"id",
	"index",
	"insert",
	"int",
	"isalpha",
	"isdigit",
	"isinstance",
	"islower",
	"isspace",
	"issubclass",
	"isupper",
	"items",
	"iter",
	"join",
	"key",
	"keys",
	"len",
	"list",
	"little",
	"locals",
	"lower",
	"lstrip",
	"main",
	"map",
	"micropython",
	"next",
	"object",
	"open",
	"ord",
	"pop",
	"popitem",
	"pow",
	"print",
	"range",
	"read",
	"readinto",
	"readline",
	"remove",
	"replace",
	"repr",
	"reverse",
	"rfind",
	"rindex",
	"round",
	"rsplit",
	"rstrip",
	"self",
	"send",
	"sep",
	"set",
	"setattr",
	"setdefault",
	"sort",
	"sorted",
	"split",
	"start",
	"startswith",
	"staticmethod",
	"step",
	"stop",
	"str",
	"strip",
	"sum",
	"super",
	"throw",
	"to_bytes",
	"tuple",
	"type",
	"update",
	"upper",
	"utf-8",
	"value",
	"values",
	"write",
	"zip",
}

// staticIndex is built on first use, not at start-up.
var staticIndex = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(StaticQstrs))
	for i, s := range StaticQstrs {
		m[s] = i + 1
	}
	return m
})

// StaticQstrID returns the fixed ID of s, or 0 when s is not a static qstr.
func StaticQstrID(s string) int { return staticIndex()[s] }

// qstrNames are the escape names of makeqstrdata.py for the ASCII
// punctuation; the map is built on first use, not at start-up.
var qstrNames = sync.OnceValue(func() map[rune]string {
	return map[rune]string{
		'-': "hyphen", ' ': "space", '\'': "squot", ',': "comma", '.': "dot", ':': "colon",
		';': "semicolon", '/': "slash", '%': "percent", '#': "hash", '(': "paren_open",
		')': "paren_close", '[': "bracket_open", ']': "bracket_close", '{': "brace_open",
		'}': "brace_close", '*': "star", '!': "bang", '\\': "backslash", '+': "plus",
		'$': "dollar", '=': "equals", '?': "question", '@': "at_sign", '^': "caret",
		'|': "pipe", '~': "tilde", '&': "amp", '"': "quot", '<': "lt", '>': "gt", '`': "grave",
	}
})

// EscapeQstr turns a qstr string into the suffix of its MP_QSTR_ macro:
// identifier characters stay, others become _name_ or _0xNN_.
func EscapeQstr(s string) string {
	var b []byte
	for _, c := range s {
		switch {
		case c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			b = append(b, byte(c))
		case qstrNames()[c] != "":
			b = append(b, '_')
			b = append(b, qstrNames()[c]...)
			b = append(b, '_')
		default:
			b = append(b, fmt.Sprintf("_0x%02x_", c)...)
		}
	}
	return string(b)
}
