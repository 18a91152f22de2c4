package rules

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"strings"
)

// grafanaToken checks Grafana's token formats. A service account token (glsa_) is
// "gl" + "sa" + "_" + 32 random characters + "_" + 8 hex characters, the CRC-32 (IEEE) of all
// before the last "_", its four bytes little-endian (satokengen in Grafana's source). A Grafana
// Cloud access policy token (glc_) and a legacy API key (eyJrIjoi…) are base64 of a JSON object:
// {"o": org, "n": name, "k": key, "m": {"r": region}} and {"k": key, "n": name, "id": org}.
func grafanaToken(secret string) bool {
	switch {
	case strings.HasPrefix(secret, "glsa_"):
		body := secret[len("glsa_"):]
		random, sum, ok := strings.Cut(body, "_")
		if !ok || len(random) != 32 || len(sum) != 8 || !inSet(random, setAlnum) {
			return false
		}
		return crc32LE("glsa_"+random) == sum
	case strings.HasPrefix(secret, "glc_"):
		return jsonWith(secret[len("glc_"):], "o", "n", "k")
	case strings.HasPrefix(secret, "eyJrIjoi"):
		return jsonWith(secret, "k", "n", "id")
	}
	return false
}

// jsonWith reports whether s is base64 (standard or URL-safe, padded or not) of a JSON object
// that has every one of fields, none of them empty.
func jsonWith(s string, fields ...string) bool {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, err = decodeB64URL(strings.NewReplacer("+", "-", "/", "_").Replace(s)); err != nil {
			return false
		}
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil {
		return false
	}
	for _, f := range fields {
		if v, ok := obj[f]; !ok || v == nil || v == "" {
			return false
		}
	}
	return true
}

// crc32LE writes the CRC-32 (IEEE) of s as Grafana appends it to its tokens: its four bytes
// little-endian, in hex. Example templates use it too.
func crc32LE(s string) string {
	var le [4]byte
	binary.LittleEndian.PutUint32(le[:], crc32.ChecksumIEEE([]byte(s)))
	return hex.EncodeToString(le[:])
}
