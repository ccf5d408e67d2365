package sqs

import "testing"

func str(s string) *string { return &s }

// The vectors are those of the npm package aws-md5-of-message-attributes, checked by SDKs that
// verify attribute digests.
func TestMD5OfAttributes(t *testing.T) {
	tests := []struct {
		attrs map[string]MessageAttributeValue
		want  string
	}{
		{map[string]MessageAttributeValue{"attribName1": {DataType: "String", StringValue: str("attribValue 1")}}, "19e27d4e946b072f3f58da80d94fd778"},
		{map[string]MessageAttributeValue{"binaryAttribute": {DataType: "Binary", BinaryValue: Blob("Hello binary world!")}}, "31a92b15d92f8db860eda32aceb656c3"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := md5OfAttributes(tt.attrs); got != tt.want {
			t.Errorf("md5OfAttributes(%v) = %q; want %q", tt.attrs, got, tt.want)
		}
	}
	if got := md5Hex([]byte("hello")); got != "5d41402abc4b2a76b9719d911017c592" {
		t.Errorf("md5Hex = %s", got)
	}
}
