package rules

import (
	"encoding/binary"
	"strings"
)

// pypiMacaroon checks a PyPI or TestPyPI API token: "pypi-" and a macaroon in the binary V2
// format (libmacaroons' format, which pymacaroons and PyPI's warehouse write), base64url
// encoded. Its packets are a type byte, a varint length and the data: version 2; the header
// section (location pypi.org or test.pypi.org, an identifier) ended by a zero byte; caveat
// sections (identifier, perhaps a location and a verification id), each ended by a zero byte;
// a zero byte that ends the caveats; and the 32-byte signature, which ends the token. A
// look-alike that is random after the well-known start fails to parse.
func pypiMacaroon(secret string) bool {
	body, ok := strings.CutPrefix(secret, "pypi-")
	if !ok {
		return false
	}
	raw, err := decodeB64URL(body)
	if err != nil || len(raw) < 2 || raw[0] != 2 {
		return false
	}
	m := macaroonReader{b: raw[1:]}
	loc, ok := m.field(macaroonLocation)
	if !ok || loc != "pypi.org" && loc != "test.pypi.org" {
		return false
	}
	if id, ok := m.field(macaroonIdentifier); !ok || id == "" || !m.eos() {
		return false
	}
	for caveats := 0; !m.eos(); caveats++ {
		if caveats > 64 {
			return false
		}
		if m.peek() == macaroonLocation {
			if _, ok := m.field(macaroonLocation); !ok {
				return false
			}
		}
		if _, ok := m.field(macaroonIdentifier); !ok {
			return false
		}
		if m.peek() == macaroonVerificationID {
			if _, ok := m.field(macaroonVerificationID); !ok {
				return false
			}
		}
		if !m.eos() {
			return false
		}
	}
	sig, ok := m.field(macaroonSignature)
	return ok && len(sig) == 32 && len(m.b) == 0
}

// The packet types of the macaroon V2 format.
const (
	macaroonEOS            = 0
	macaroonLocation       = 1
	macaroonIdentifier     = 2
	macaroonVerificationID = 4
	macaroonSignature      = 6
)

// macaroonReader reads the packets of a V2 macaroon.
type macaroonReader struct{ b []byte }

func (m *macaroonReader) peek() int {
	if len(m.b) == 0 {
		return -1
	}
	return int(m.b[0])
}

// eos consumes an end-of-section byte, if that is what comes next.
func (m *macaroonReader) eos() bool {
	if m.peek() != macaroonEOS {
		return false
	}
	m.b = m.b[1:]
	return true
}

// field consumes a packet of type t and returns its data.
func (m *macaroonReader) field(t int) (string, bool) {
	if m.peek() != t {
		return "", false
	}
	n, k := binary.Uvarint(m.b[1:])
	if k <= 0 || n > uint64(len(m.b)-1-k) {
		return "", false
	}
	data := m.b[1+k : 1+k+int(n)]
	m.b = m.b[1+k+int(n):]
	return string(data), true
}
