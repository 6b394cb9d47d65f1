package localdynamo

import "syscall"

// childAttrs makes the kernel kill the server when the test process dies, so no server
// outlives a test run, however it ends.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
