//go:build unix

package files

import (
	"os"
	"syscall"
)

// openFile opens path for reading without blocking: opening a named pipe for reading
// waits for a writer, for good if none comes, and O_NONBLOCK makes it return at once (the
// caller then sees it is no regular file and reads nothing). Reads of a regular file are
// not changed by the flag. Unless follow is set, a symbolic link is not followed.
func openFile(path string, follow bool) (*os.File, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if !follow {
		flags |= syscall.O_NOFOLLOW
	}
	return os.OpenFile(path, flags, 0)
}
