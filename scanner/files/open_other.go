//go:build !unix

package files

import (
	"fmt"
	"io/fs"
	"os"
)

// openFile opens path for reading. Where there is no O_NOFOLLOW, a symbolic link met
// inside a folder is refused after a look at it, unless follow is set.
func openFile(path string, follow bool) (*os.File, error) {
	if !follow {
		if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("%s is a symbolic link, not followed", path)
		}
	}
	return os.Open(path)
}
