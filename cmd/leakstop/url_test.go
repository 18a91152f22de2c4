package main

import (
	"net/http/httptest"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/leakstop/leakstop/scanner/web/webtest"
)

// cmdServe serves a folder over loopback for the rest of the script, as a static host
// would (webtest.Handler), and sets $NAME to its URL:
//
//	serve NAME DIR
func cmdServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: serve NAME DIR")
	}
	srv := httptest.NewServer(webtest.Handler(ts.MkAbs(args[1])))
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}

// cmdFixture copies the build output of a fixture app (vite or next, built by
// testdata/apps/build.sh) into DST with KEY in place of its placeholder key:
//
//	fixture APP DST KEY
func cmdFixture(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: fixture vite|next DST KEY")
	}
	ts.Check(webtest.CopyBuild(args[0], ts.MkAbs(args[1]), args[2]))
}
