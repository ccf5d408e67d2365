package eventpattern

import "strings"

// MatchRecord matches a Lambda event-source record (an SQS message as the function receives
// it, a Kinesis record with its data decoded from base64) whose data key (SQS "body", Kinesis
// "data") holds a string. As Lambda does (Lambda DG "Event filtering"): a pattern without the
// data key matches the record's metadata; a pattern that nests fields under the data key
// matches only data that is JSON (an object or an array), parsed; a pattern with a plain value
// list for the data key matches only data that is not JSON, as a string. Records of the wrong
// kind do not match (for SQS, Lambda then deletes them).
func (p *Pattern) MatchRecord(record Event, dataKey string) bool {
	return p.matchRecord(record, dataKey, false)
}

// MatchBrokerRecord is MatchRecord as Lambda does it for Kafka and Amazon MQ: when the data's
// format does not suit the pattern, the record is matched on its metadata alone (the pattern
// without its data key) instead of being dropped.
func (p *Pattern) MatchBrokerRecord(record Event, dataKey string) bool {
	return p.matchRecord(record, dataKey, true)
}

func (p *Pattern) matchRecord(record Event, dataKey string, metadataOnMismatch bool) bool {
	obj, ok := record.v.(map[string]any)
	if !ok {
		return p.MatchEvent(record)
	}
	var ch *child
	for _, c := range p.root.children {
		if c.key == dataKey {
			ch = c
		}
	}
	if ch == nil {
		return p.MatchEvent(record)
	}
	raw, _ := obj[dataKey].(string)
	data, isJSON := jsonData(raw)
	if isJSON != (ch.sub != nil) {
		if metadataOnMismatch {
			return p.root.without(dataKey).match(obj, true)
		}
		return false
	}
	if !isJSON {
		return p.MatchEvent(record)
	}
	withData := make(map[string]any, len(obj))
	for k, v := range obj {
		withData[k] = v
	}
	withData[dataKey] = data
	return p.root.match(withData, true)
}

// without is n less its child key.
func (n *node) without(key string) *node {
	out := &node{ors: n.ors}
	for _, c := range n.children {
		if c.key != key {
			out.children = append(out.children, c)
		}
	}
	return out
}

// jsonData parses a record's data if it is a JSON object or array.
func jsonData(s string) (any, bool) {
	t := strings.TrimLeft(s, " \t\r\n")
	if t == "" || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	e, err := Decode([]byte(s))
	if err != nil {
		return nil, false
	}
	return e.v, true
}

// Attribute is an SNS message attribute as published: its DataType and its string value.
type Attribute struct {
	Type  string
	Value string
}

// MatchAttributes matches an SNS filter policy (scope MessageAttributes) against a message's
// attributes: String (and String.<custom>) attributes are strings, Number attributes numbers,
// String.Array values JSON arrays whose elements may each match, and Binary attributes are not
// seen (SNS DG "Subscription filter policies").
func (p *Pattern) MatchAttributes(attrs map[string]Attribute) bool {
	m := make(map[string]any, len(attrs))
	for name, a := range attrs {
		switch {
		case strings.HasSuffix(a.Type, ".Array"):
			if e, err := Decode([]byte(a.Value)); err == nil {
				if _, ok := e.v.([]any); ok {
					m[name] = e.v
				}
			}
		case strings.HasPrefix(a.Type, "Number"):
			n := newNumber(strings.TrimSpace(a.Value))
			if n.ok {
				m[name] = n
			} else {
				m[name] = a.Value
			}
		case strings.HasPrefix(a.Type, "String"):
			m[name] = a.Value
		}
	}
	return p.root.match(normalizeObject(m, 0, true), true)
}

// DataForm is how a Lambda filter pattern treats a record's data key.
type DataForm uint8

const (
	// DataAbsent: the pattern does not name the data key (metadata filtering only).
	DataAbsent DataForm = iota
	// DataPlain: the pattern lists values for the data key, matched against data that is not JSON.
	DataPlain
	// DataJSON: the pattern nests fields under the data key, matched against JSON data.
	DataJSON
)

// DataForm says how the pattern treats dataKey at its top level. Lambda rejects a pattern whose
// Kinesis or DynamoDB data filter is not JSON at CreateEventSourceMapping (DataPlain there).
func (p *Pattern) DataForm(dataKey string) DataForm {
	for _, c := range p.root.children {
		if c.key == dataKey {
			if c.sub != nil {
				return DataJSON
			}
			return DataPlain
		}
	}
	return DataAbsent
}
