package dynamoserver

import "syscall"

// childAttrs makes the kernel kill the server when the process that started it dies, so no
// server outlives its host or test run however they end. Its own process group keeps a
// terminal's Ctrl-C from killing it before the host has run the last $disconnects against it:
// the host stops it last.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
