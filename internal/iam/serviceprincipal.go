package iam

import (
	"strconv"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/iam/policy"
)

// ServiceCall is one call a gureum service makes to another's resource on its own behalf (an S3
// notification to a queue, an SNS delivery to a subscribed queue, an EventBridge target): the
// caller is the service principal, with aws:SourceArn and aws:SourceAccount naming the resource
// it acts for, as on AWS.
type ServiceCall struct {
	Service         string // the service principal: "sns.amazonaws.com"
	SourceARN       string // the resource it acts for: a topic, a rule, a bucket ("" when unknown)
	SourceAccount   string // that resource's owner
	Action          string // "sqs:SendMessage"
	Resource        string // the destination's ARN
	ResourceAccount string // the destination's owner, when its ARN carries none
	Now             time.Time
}

// AuthorizeServicePrincipal decides a service call with the destination's policy (policyDoc, ""
// when it has none): a service principal has no identity policies, so only a statement of the
// resource policy that allows the service (under its conditions) lets the call through, and a
// matching Deny refuses it. The error is AWS's AccessDenied.
func AuthorizeServicePrincipal(c ServiceCall, policyDoc string) error {
	r := &policy.Request{
		Principal:       policy.Principal{Type: "Service", Service: c.Service, ARN: c.Service},
		Action:          c.Action,
		Resource:        c.Resource,
		ResourceAccount: c.ResourceAccount,
	}
	if c.SourceARN != "" {
		r.Set("aws:SourceArn", c.SourceARN)
	}
	if c.SourceAccount != "" {
		r.Set("aws:SourceAccount", c.SourceAccount)
		r.Set("aws:SourceOwner", c.SourceAccount) // SNS's older name for it
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	r.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	r.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	var ps policy.Policies
	if policyDoc != "" {
		p, err := policy.Parse(policyDoc, policy.Resource)
		if err != nil {
			p = &policy.Policy{} // an unparsable policy grants nothing
		}
		p.Name = policyName(sourceResource, "resource")
		ps.Resource = p
	}
	res := policy.Evaluate(r, &ps)
	if res.Decision == policy.Allowed {
		return nil
	}
	reason := "because no resource-based policy allows the " + c.Action + " action"
	if res.Decision == policy.ExplicitDeny {
		reason = res.Reason
	}
	return awserr.New(awserr.AccessDenied, "Service: %s is not authorized to perform: %s on resource: %s %s", c.Service, c.Action, c.Resource, reason)
}

// AuthorizeAccountCall decides a call a gureum service makes on an account's behalf to another
// account's resource (an event a rule forwards to another account's bus): the account, as its
// root, must be granted by the destination's policy (policyDoc, "" when it has none).
func AuthorizeAccountCall(account, action, resource, policyDoc string, now time.Time) error {
	r := &policy.Request{
		Principal: policy.Principal{Type: "Account", ARN: "arn:aws:iam::" + account + ":root", Account: account, UserID: account},
		Action:    action,
		Resource:  resource,
	}
	r.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	r.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	var ps policy.Policies
	if policyDoc != "" {
		p, err := policy.Parse(policyDoc, policy.Resource)
		if err != nil {
			p = &policy.Policy{}
		}
		p.Name = policyName(sourceResource, "resource")
		ps.Resource = p
	}
	if res := policy.Evaluate(r, &ps); res.Decision != policy.Allowed {
		return awserr.New(awserr.AccessDenied, "User: %s is not authorized to perform: %s on resource: %s %s", r.Principal.ARN, action, resource, res.Reason)
	}
	return nil
}
