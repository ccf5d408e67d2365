package events

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The target input: Input replaces the event, InputPath selects part of it, InputTransformer
// fills a template with values the paths select (EventBridge user guide "Transforming target
// input"); nothing delivers the event itself.

// step is one step of a JSON path: a member name, or an array index when name is empty.
type step struct {
	name  string
	index int
}

// parsePath reads the JSON path subset EventBridge accepts: $ followed by .name, [n] or
// ['name'] steps.
func parsePath(p string) ([]step, bool) {
	if !strings.HasPrefix(p, "$") {
		return nil, false
	}
	var steps []step
	rest := p[1:]
	for rest != "" {
		switch {
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			name := rest[1 : end+1]
			if name == "" {
				return nil, false
			}
			steps, rest = append(steps, step{name: name}), rest[end+1:]
		case strings.HasPrefix(rest, "['"):
			end := strings.Index(rest, "']")
			if end < 2 {
				return nil, false
			}
			steps, rest = append(steps, step{name: rest[2:end]}), rest[end+2:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, false
			}
			steps, rest = append(steps, step{index: n}), rest[end+1:]
		default:
			return nil, false
		}
	}
	return steps, true
}

func validPath(p string) bool {
	_, ok := parsePath(p)
	return ok
}

// lookup follows a path through a decoded JSON value.
func lookup(v any, path string) (any, bool) {
	steps, ok := parsePath(path)
	if !ok {
		return nil, false
	}
	for _, s := range steps {
		switch x := v.(type) {
		case map[string]any:
			if s.name == "" {
				return nil, false
			}
			if v, ok = x[s.name]; !ok {
				return nil, false
			}
		case []any:
			if s.name != "" || s.index >= len(x) {
				return nil, false
			}
			v = x[s.index]
		default:
			return nil, false
		}
	}
	return v, true
}

// decodeEvent decodes an event keeping numbers exact.
func decodeEvent(event []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(event))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func jsonText(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

// transformContext is what the predefined placeholders refer to.
type transformContext struct {
	ruleARN, ruleName, ingestion string
}

// transform renders an InputTransformer for an event. ok is false when the result is a JSON
// template that is not valid JSON: AWS then silently delivers nothing.
func transform(tr *InputTransformer, event []byte, c transformContext) (string, bool) {
	v, err := decodeEvent(event)
	if err != nil {
		return "", false
	}
	values := map[string]any{}
	for name, path := range tr.InputPathsMap {
		if x, ok := lookup(v, path); ok {
			values[name] = x
		}
	}
	values["aws.events.rule-arn"], values["aws.events.rule-name"] = c.ruleARN, c.ruleName
	values["aws.events.event.ingestion-time"] = c.ingestion
	values["aws.events.event.json"] = v
	if m, ok := v.(map[string]any); ok {
		noDetail := make(map[string]any, len(m))
		for k, x := range m {
			if k != "detail" {
				noDetail[k] = x
			}
		}
		values["aws.events.event"] = noDetail
	}
	tmpl := tr.InputTemplate
	trimmed := strings.TrimSpace(tmpl)
	stringTemplate := strings.HasPrefix(trimmed, `"`)
	out := render(tmpl, values, stringTemplate)
	if (strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[")) && !json.Valid([]byte(out)) {
		return "", false
	}
	return out, true
}

// render substitutes the placeholders of a template. Inside a JSON string a string value goes in
// as it is and other values as their JSON text (in a string template, without quotes: AWS's
// {acc_id:0a78}); outside a string a string value is quoted. A missing value is empty, and
// outside a string "".
func render(tmpl string, values map[string]any, stringTemplate bool) string {
	var b strings.Builder
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && inString && i+1 < len(tmpl):
			b.WriteByte(c)
			i++
			b.WriteByte(tmpl[i])
			continue
		case c == '"':
			inString = !inString
		case c == '<':
			end := strings.IndexByte(tmpl[i:], '>')
			if end > 0 {
				name := tmpl[i+1 : i+end]
				if v, ok := values[name]; ok || !strings.ContainsAny(name, "<\"") {
					b.WriteString(substitute(v, ok, inString, stringTemplate))
					i += end
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

func substitute(v any, ok, inString, stringTemplate bool) string {
	if !ok {
		if inString {
			return ""
		}
		return `""`
	}
	if s, isString := v.(string); isString {
		if inString {
			return s
		}
		return jsonText(s)
	}
	text := jsonText(v)
	if inString && stringTemplate {
		return strings.ReplaceAll(text, `"`, "")
	}
	return text
}

// targetInput is what a target receives for an event; ok is false when nothing is delivered.
func targetInput(t *Target, event []byte, c transformContext) (string, bool) {
	switch {
	case t.Input != "":
		return t.Input, true
	case t.InputPath != "":
		v, err := decodeEvent(event)
		if err != nil {
			return "", false
		}
		x, ok := lookup(v, t.InputPath)
		if !ok {
			return "", false
		}
		return jsonText(x), true
	case t.InputTransformer != nil:
		return transform(t.InputTransformer, event, c)
	}
	return string(event), true
}
