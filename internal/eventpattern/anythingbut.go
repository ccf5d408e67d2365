package eventpattern

// anythingBut compiles {"anything-but": …}: a string, a number, a list of either, or one of
// prefix, suffix, equals-ignore-case and wildcard (SNS: prefix only).
func (c *compiler) anythingBut(v any) (*matcher, error) {
	switch x := v.(type) {
	case *object:
		return c.anythingButOp(x)
	case string:
		return &matcher{kind: kNotStrings, strs: []string{x}}, nil
	case number:
		return &matcher{kind: kNotNumbers, nums: []number{x}}, nil
	case []any:
		return c.anythingButList(x)
	}
	return nil, c.fail("Value of anything-but must be an array or single string/number value.")
}

func (c *compiler) anythingButList(list []any) (*matcher, error) {
	m := &matcher{}
	for _, e := range list {
		switch x := e.(type) {
		case string:
			m.strs = append(m.strs, x)
		case number:
			m.nums = append(m.nums, x)
		default:
			return nil, c.fail("Inside anything but list, start|null|boolean is not supported.")
		}
	}
	if (len(m.strs) > 0) == (len(m.nums) > 0) {
		return nil, c.fail("Inside anything but list, either all values are number or string, mixed type is not supported")
	}
	m.kind = kNotStrings
	if len(m.nums) > 0 {
		m.kind = kNotNumbers
	}
	return m, nil
}

func (c *compiler) anythingButOp(m *object) (*matcher, error) {
	if len(m.keys) == 0 {
		return nil, c.fail("Anything-But expression name not found")
	}
	out, err := c.anythingButOp1(m.keys[0], m.vals[0])
	if err != nil || len(m.keys) == 1 {
		return out, err
	}
	if m.keys[0] == "equals-ignore-case" {
		return nil, c.fail("Too many elements in numeric expression")
	}
	return nil, c.fail("Only one key allowed in match expression")
}

func (c *compiler) anythingButOp1(op string, v any) (*matcher, error) {
	if c.d.sns() && op != "prefix" {
		return nil, c.fail("Unsupported anything-but pattern: " + op)
	}
	switch op {
	case "prefix", "suffix":
		return c.anythingButAffix(op, v)
	case "equals-ignore-case":
		const msg = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
		strs, err := c.stringOrList(v, msg, msg)
		if err != nil {
			return nil, err
		}
		return &matcher{kind: kNotFold, strs: strs}, nil
	case "wildcard":
		strs, err := c.stringOrList(v, "wildcard match pattern must be a string", "wildcard match pattern must be a string")
		if err != nil {
			return nil, err
		}
		out := &matcher{kind: kNotWildcard}
		for _, s := range strs {
			w, reason := parseWildcard(s)
			if reason != "" {
				return nil, c.fail(reason)
			}
			out.wilds = append(out.wilds, w)
		}
		return out, nil
	}
	return nil, c.fail("Unsupported anything-but pattern: " + op)
}

// stringOrList reads a string or a list of strings; single and inList are the messages for a
// wrong single value and a wrong list element.
func (c *compiler) stringOrList(v any, single, inList string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case number:
		return nil, c.fail(single)
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, c.fail(inList)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, c.fail("Value of anything-but must be an array or single string/number value.")
}

// anythingButAffix compiles anything-but prefix or suffix: a string or a list of strings, none
// empty (AWS-validated: an object inside, such as equals-ignore-case, is refused).
func (c *compiler) anythingButAffix(op string, v any) (*matcher, error) {
	const msg = "prefix/suffix match pattern must be a string"
	if _, ok := v.(*object); ok {
		return nil, c.fail("Value of anything-but must be an array or single string/number value.")
	}
	strs, err := c.stringOrList(v, msg, msg)
	if err != nil {
		return nil, err
	}
	for _, s := range strs {
		if s == "" {
			return nil, c.fail("Null prefix/suffix not allowed")
		}
	}
	if op == "prefix" {
		return &matcher{kind: kNotPrefix, strs: strs}, nil
	}
	return &matcher{kind: kNotSuffix, strs: strs}, nil
}
