package fake

import "slices"

// Rows returns the fake of every provider whose file declares its verification, listed by
// hand, one list a category (rows_<category>.go): a provider added with a [verify] table
// adds its row there (a test fails on a [verify] table without one).
func Rows() []Row {
	return slices.Concat(aiRows(), cloudRows(), codeRows(), messagingRows(), commerceRows())
}

// RowFor returns the row of provider.
func RowFor(provider string) (Row, bool) {
	for _, r := range Rows() {
		if r.Provider == provider {
			return r, true
		}
	}
	return Row{}, false
}

// bearer is where most providers read the secret.
const bearer = "Authorization: Bearer {key}"
