//go:build linux

package git

import (
	"os"

	"golang.org/x/sys/unix"
)

// growPipe asks for a larger pipe buffer, so a reader copies blobs in fewer, larger steps.
func growPipe(f *os.File, size int) {
	if c, err := f.SyscallConn(); err == nil {
		c.Control(func(fd uintptr) { unix.FcntlInt(fd, unix.F_SETPIPE_SZ, size) })
	}
}
