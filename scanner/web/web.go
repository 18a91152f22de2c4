// Package web is the source for client-side JavaScript: deployed sites (leakstop url) and
// build output on disk (leakstop dir dist/, through Expander).
//
// A site is crawled from its pages: scripts (<script src>, inline scripts, modulepreload
// and preload links), the chunks they load (static and dynamic import of relative
// specifiers, webpack's chunk-URL function, Next.js's build manifest and __NEXT_DATA__) and
// their source maps (sourceMappingURL comments and headers, inline data: maps, and a
// quiet try of SCRIPT.map). Every fetched URL is a location. A source map serves twice: its
// sourcesContent is scanned as the original files, and a finding in its bundle is traced
// through the mappings to the original file and line (Location.Origin). Everything a site
// serves is public, so every finding is marked as exposed, with the environment variable
// (VITE_…, NEXT_PUBLIC_…, REACT_APP_…) that put it there when the bundle or the original
// source shows it.
//
// The crawl stays on the start URLs' origins unless told of more hosts, and is bounded in
// depth (links between pages), in URLs fetched, in bytes (in all and per response) and in
// time per request. Every place that could not be read is a chunk with Err (or Skipped, for
// what a limit or a rule left out), so the scan goes on and the user is told; a chunk left
// out because of a limit names it (scanner.Chunk.Limit), and a failed request's error says
// what it may mean (HTTPError, TimeoutError), for the command to add which of its settings
// helps.
package web
