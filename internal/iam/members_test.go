package iam

import (
	"encoding/xml"
	"testing"
)

func TestEmptyListsAreWritten(t *testing.T) {
	b, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"ListUsersResult"`
		ListUsersOutput
	}{ListUsersOutput: ListUsersOutput{}})
	if want := "<ListUsersResult><Users></Users><IsTruncated>false</IsTruncated></ListUsersResult>"; err != nil || string(b) != want {
		t.Errorf("Marshal = %s, %v; want %s", b, err, want)
	}
	b, _ = xml.Marshal(struct {
		XMLName xml.Name        `xml:"R"`
		L       members[string] `xml:"PolicyNames"`
	}{L: members[string]{"a", "b"}})
	if want := "<R><PolicyNames><member>a</member><member>b</member></PolicyNames></R>"; string(b) != want {
		t.Errorf("Marshal = %s; want %s", b, want)
	}
}
