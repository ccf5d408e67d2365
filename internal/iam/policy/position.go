package policy

import (
	"encoding/json"
	"strings"
)

// Position is a place in a document: 1-based line and column, as the simulator reports them.
type Position struct {
	Line, Column int
}

// statementSpans finds where each statement of a valid document starts and ends.
func statementSpans(doc string) [][2]Position {
	dec := json.NewDecoder(strings.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "Statement" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		return spansOf(doc, dec)
	}
	return nil
}

func spansOf(doc string, dec *json.Decoder) [][2]Position {
	start := skipSpace(doc, int(dec.InputOffset()))
	if start < len(doc) && doc[start] == '{' {
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return nil
		}
		return [][2]Position{{at(doc, start), at(doc, int(dec.InputOffset()))}}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil
	}
	var out [][2]Position
	for dec.More() {
		s := skipSpace(doc, int(dec.InputOffset()))
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return nil
		}
		out = append(out, [2]Position{at(doc, s), at(doc, int(dec.InputOffset()))})
	}
	return out
}

// skipSpace moves past whitespace, colons and commas to the next value.
func skipSpace(doc string, i int) int {
	for i < len(doc) && strings.IndexByte(" \t\r\n,:", doc[i]) >= 0 {
		i++
	}
	return i
}

func at(doc string, off int) Position {
	off = min(off, len(doc))
	line := 1 + strings.Count(doc[:off], "\n")
	col := off - strings.LastIndexByte(doc[:off], '\n')
	return Position{Line: line, Column: col}
}
