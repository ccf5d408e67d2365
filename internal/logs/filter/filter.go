// Package filter is CloudWatch Logs' filter-pattern syntax, which FilterLogEvents (and later
// metric and subscription filters) match log events against: terms in unstructured text, JSON
// patterns over a JSON event, and space-delimited patterns over fields. Its syntax is neither
// the EventBridge dialect of internal/eventpattern nor anything a library parses, so it is
// written here, with FuzzCompile holding the parser to its contract.
//
//	ERROR                       the term, case-sensitive, anywhere in the message
//	"Failed to process"         a phrase, quoted because it holds spaces or punctuation
//	ERROR Exception             every term
//	?ERROR ?WARN                any of the terms marked ?
//	ERROR -Exiting              ERROR, and not Exiting
//	%ERR(OR)?%                  a regular expression
//	{ $.level = "error" }       JSON: =, != (strings, * wildcards, regular expressions),
//	{ $.latency > 50 }          <, <=, >, >=, =, != (numbers); IS TRUE, IS FALSE, IS NULL,
//	{ $.x NOT EXISTS }          EXISTS, NOT EXISTS; && binds tighter than ||; parentheses;
//	{ $.a[0].b = 1 || ($.c[*] = "x") }   selectors with indexes and [*] or .* wildcards
//	[ip, user, ..., status = 4*, bytes > 1000]   space-delimited fields, ... for any number
//
// Matching never fails: an event a pattern cannot apply to (text that is not JSON under a JSON
// pattern) does not match.
package filter

import (
	"fmt"
	"strings"
)

// MaxLength is the longest pattern accepted, AWS's limit on a filter pattern.
const MaxLength = 1024

// Pattern is a compiled filter pattern.
type Pattern interface {
	// Match reports whether the log event's message matches.
	Match(message string) bool
}

// Error is a pattern that does not parse.
type Error struct {
	Pattern string
	Pos     int
	Reason  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid filter pattern at %d: %s", e.Pos, e.Reason)
}

// Compile parses a filter pattern. The empty pattern (or one of only spaces) matches every event.
func Compile(pattern string) (Pattern, error) {
	if len(pattern) > MaxLength {
		return nil, &Error{Pattern: pattern, Pos: MaxLength, Reason: fmt.Sprintf("longer than %d characters", MaxLength)}
	}
	trimmed := strings.TrimSpace(pattern)
	switch {
	case trimmed == "":
		return all{}, nil
	case trimmed[0] == '{':
		return compileJSON(pattern)
	case trimmed[0] == '[':
		return compileDelimited(pattern)
	}
	return compileText(pattern)
}

// all matches every event.
type all struct{}

func (all) Match(string) bool { return true }
