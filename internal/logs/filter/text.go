package filter

import (
	"regexp"
	"strings"
)

// term is one term of an unstructured-text pattern: a substring or a regular expression.
type term struct {
	text string
	re   *regexp.Regexp
}

func (t term) in(message string) bool {
	if t.re != nil {
		return t.re.MatchString(message)
	}
	return strings.Contains(message, t.text)
}

// text is a pattern of terms: every required term, none of the excluded, and when there are
// optional terms (?term) at least one of them.
type text struct {
	required, optional, excluded []term
}

func (p *text) Match(message string) bool {
	for _, t := range p.required {
		if !t.in(message) {
			return false
		}
	}
	for _, t := range p.excluded {
		if t.in(message) {
			return false
		}
	}
	if len(p.optional) == 0 {
		return true
	}
	for _, t := range p.optional {
		if t.in(message) {
			return true
		}
	}
	return false
}

func compileText(pattern string) (Pattern, error) {
	p := &text{}
	l := &lexer{src: pattern}
	for {
		for l.pos < len(pattern) && isSpace(pattern[l.pos]) {
			l.pos++
		}
		if l.pos >= len(pattern) {
			return p, nil
		}
		list := &p.required
		switch pattern[l.pos] {
		case '?':
			list = &p.optional
			l.pos++
		case '-':
			list = &p.excluded
			l.pos++
		}
		t, err := l.term()
		if err != nil {
			return nil, err
		}
		*list = append(*list, t)
	}
}

// term reads one term: "quoted", %regex% or a bare word up to the next space.
func (l *lexer) term() (term, error) {
	start := l.pos
	if l.pos >= len(l.src) || isSpace(l.src[l.pos]) {
		return term{}, l.fail(start, "a term is missing after ? or -")
	}
	switch l.src[l.pos] {
	case '"':
		s, err := l.quoted()
		if err == nil && l.pos < len(l.src) && !isSpace(l.src[l.pos]) {
			err = l.fail(l.pos, "a quoted term must be followed by a space")
		}
		return term{text: s}, err
	case '%':
		t, err := l.scan()
		if err != nil {
			return term{}, err
		}
		return compileRegex(l, t)
	}
	for l.pos < len(l.src) && !isSpace(l.src[l.pos]) {
		if l.src[l.pos] == '"' {
			return term{}, l.fail(l.pos, "a quote inside a term; quote the whole term")
		}
		l.pos++
	}
	return term{text: l.src[start:l.pos]}, nil
}

// compileRegex compiles a %regex% token. AWS's dialect is a subset of RE2's.
func compileRegex(l *lexer, t token) (term, error) {
	if t.text == "" {
		return term{}, l.fail(t.pos, "empty regular expression")
	}
	re, err := regexp.Compile(t.text)
	if err != nil {
		return term{}, l.fail(t.pos, "invalid regular expression: "+err.Error())
	}
	return term{re: re}, nil
}
