package domain

import "strings"

// InvokeHost reads the API id from an execute-api host name (without its port), whatever its
// region and suffix: "<api-id>.execute-api.<anything>" ("a1b2c3.execute-api.localhost",
// "a1b2c3.execute-api.us-east-1.amazonaws.com") and a private API's
// "<api-id>-<vpce-id>.execute-api.<anything>" ("a1b2c3-vpce-0123abcd.execute-api.…").
// An API id is lowercase letters and digits.
func InvokeHost(host string) (apiID string, ok bool) {
	label, rest, found := strings.Cut(host, ".")
	if !found || len(rest) <= len("execute-api.") || !strings.EqualFold(rest[:len("execute-api.")], "execute-api.") {
		return "", false
	}
	label = strings.ToLower(label)
	if id, vpce, private := strings.Cut(label, "-vpce-"); private {
		if !idChars(vpce) {
			return "", false
		}
		label = id
	}
	if !idChars(label) {
		return "", false
	}
	return label, true
}

func idChars(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// PrivateAPIHeader names the API a request to a VPC endpoint's own DNS name addresses, as AWS
// reads it for private APIs.
const PrivateAPIHeader = "X-Apigw-Api-Id"
