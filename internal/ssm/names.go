package ssm

import (
	"regexp"
	"strconv"
	"strings"
)

// Parameter name rules, as AWS applies them: letters, digits and . - _ /, a hierarchy (a name
// with a slash) fully qualified with a leading slash, at most 15 levels, no first level
// beginning with "aws" or "ssm" in any case, and at most 1011 characters with the ARN.
const (
	maxLevels = 15
	maxARN    = 1011
)

var nameChars = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)

// checkName applies the rules to a name given to PutParameter.
func checkName(name, arn string) error {
	if name == "" {
		return ErrValidation.Errorf("1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if !nameChars.MatchString(name) {
		return ErrValidation.Errorf("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")
	}
	if strings.Contains(name, "/") && !strings.HasPrefix(name, "/") {
		return ErrValidation.Errorf("Parameter name must be a fully qualified name.")
	}
	if strings.Contains(name, "//") || len(name) > 1 && strings.HasSuffix(name, "/") || name == "/" {
		return ErrValidation.Errorf("Parameter name must not end with a slash or contain an empty sub-path.")
	}
	first := strings.ToLower(strings.TrimPrefix(name, "/"))
	if strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return ErrValidation.Errorf("No access to reserved parameter name: %s.", name)
	}
	if strings.Count(name, "/") > maxLevels {
		return ErrHierarchyLevelLimit.Errorf("A hierarchy can have a maximum of 15 levels. For more information, see Requirements and Constraints for Parameter Names in the AWS Systems Manager User Guide.")
	}
	if len(arn) > maxARN {
		return ErrValidation.Errorf("Parameter name: The maximum length for a parameter name, including the full ARN, is 1011 characters.")
	}
	return nil
}

// selector is a parsed name:version or name:label reference.
type selector struct {
	name    string
	version int64  // 0: none
	label   string // "": none
	raw     string // ":3", ":prod" as given
}

// parseSelector splits a GetParameter(s) name into the name and its selector, turning a
// parameter ARN into its name.
func parseSelector(ref string) (selector, error) {
	if strings.HasPrefix(ref, "arn:") {
		parts := strings.SplitN(ref, ":", 6)
		if len(parts) != 6 || !strings.HasPrefix(parts[5], "parameter/") {
			return selector{}, ErrValidation.Errorf("Invalid parameter ARN: %s", ref)
		}
		ref = nameFromARN(parts[5])
	}
	s := selector{name: ref}
	i := strings.IndexByte(ref, ':')
	if i < 0 {
		return s, nil
	}
	s.name, s.raw = ref[:i], ref[i:]
	sel := ref[i+1:]
	if sel == "" || strings.Contains(sel, ":") {
		return s, ErrValidation.Errorf("Invalid parameter selector: %s", ref)
	}
	if n, err := strconv.ParseInt(sel, 10, 64); err == nil {
		if n < 1 {
			return s, ErrParameterVersionNotFound.Errorf("Systems Manager could not find version %s of %s. Verify the version and try again.", sel, s.name)
		}
		s.version = n
		return s, nil
	}
	s.label = sel
	return s, nil
}

// nameFromARN is the name in an ARN's "parameter/…" resource: "parameter/a/b" is "/a/b",
// "parameter/x" is "x".
func nameFromARN(resource string) string {
	rest := strings.TrimPrefix(resource, "parameter/")
	if strings.Contains(rest, "/") {
		return "/" + rest
	}
	return rest
}

var labelChars = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{1,100}$`)

// validLabel applies AWS's label rules: up to 100 letters, digits and . - _, not a number
// first, not beginning with aws or ssm.
func validLabel(l string) bool {
	if !labelChars.MatchString(l) || l[0] >= '0' && l[0] <= '9' {
		return false
	}
	low := strings.ToLower(l)
	return !strings.HasPrefix(low, "aws") && !strings.HasPrefix(low, "ssm")
}
