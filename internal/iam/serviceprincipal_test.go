package iam

import (
	"testing"
	"time"

	"github.com/gureum/gureum/internal/awserr"
)

// TestAuthorizeServicePrincipal: a service acting for a source resource is allowed only by a
// statement of the destination's policy that names the service (or everyone) and whose
// aws:SourceArn / aws:SourceAccount conditions hold; a Deny wins; no policy allows nothing.
func TestAuthorizeServicePrincipal(t *testing.T) {
	const queue = "arn:aws:sqs:us-east-1:111111111111:q"
	const topic = "arn:aws:sns:us-east-1:222222222222:t"
	doc := func(stmts string) string { return `{"Version":"2012-10-17","Statement":[` + stmts + `]}` }
	allowSNS := `{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queue + `"`
	tests := []struct {
		name, service, source, account, policy string
		want                                   bool
	}{
		{"no policy", "sns.amazonaws.com", topic, "222222222222", "", false},
		{"service allowed", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `}`), true},
		{"another service", "s3.amazonaws.com", "arn:aws:s3:::b", "222222222222", doc(allowSNS + `}`), false},
		{"SourceArn matches", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `,"Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}`), true},
		{"SourceArn wildcard", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `,"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:222222222222:*"}}}`), true},
		{"SourceArn differs", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `,"Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:222222222222:other"}}}`), false},
		{"SourceArn unknown", "sns.amazonaws.com", "", "222222222222", doc(allowSNS + `,"Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}`), false},
		{"SourceAccount matches", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `,"Condition":{"StringEquals":{"aws:SourceAccount":"222222222222"}}}`), true},
		{"SourceAccount differs", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `,"Condition":{"StringEquals":{"aws:SourceAccount":"333333333333"}}}`), false},
		{"SourceOwner (SNS's key)", "sns.amazonaws.com", topic, "222222222222", doc(allowSNS + `,"Condition":{"StringEquals":{"aws:SourceOwner":"222222222222"}}}`), true},
		{"everyone with SourceArn", "events.amazonaws.com", "arn:aws:events:us-east-1:222222222222:rule/r", "222222222222",
			doc(`{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:events:us-east-1:222222222222:rule/r"}}}`), true},
		{"AWS principal does not cover a service", "sns.amazonaws.com", topic, "222222222222",
			doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sqs:SendMessage","Resource":"*"}`), false},
		{"explicit deny", "sns.amazonaws.com", topic, "222222222222",
			doc(allowSNS + `},{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"111111111111"}}}`), false},
		{"other action", "sns.amazonaws.com", topic, "222222222222",
			doc(`{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:ReceiveMessage","Resource":"*"}`), false},
		{"unparsable", "sns.amazonaws.com", topic, "222222222222", `{"Statement":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AuthorizeServicePrincipal(ServiceCall{Service: tt.service, SourceARN: tt.source, SourceAccount: tt.account,
				Action: "sqs:SendMessage", Resource: queue, Now: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}, tt.policy)
			if got := err == nil; got != tt.want {
				t.Fatalf("AuthorizeServicePrincipal = %v; want allowed %v", err, tt.want)
			}
			if err != nil && awserr.As(err).Kind != awserr.AccessDenied {
				t.Errorf("error %v; want AccessDenied", err)
			}
		})
	}
}
