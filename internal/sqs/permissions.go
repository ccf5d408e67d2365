package sqs

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

type AddPermissionInput struct {
	QueueUrl      string
	Label         string
	AWSAccountIds []string `query:"AWSAccountId,flat"`
	Actions       []string `query:"ActionName,flat"`
}

type RemovePermissionInput struct {
	QueueUrl string
	Label    string
}

// policy is the part of an IAM policy document AddPermission and RemovePermission edit.
type policy struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

type statement struct {
	Sid       string              `json:"Sid"`
	Effect    string              `json:"Effect"`
	Principal map[string][]string `json:"Principal"`
	Action    []string            `json:"Action"`
	Resource  string              `json:"Resource"`
}

var (
	labelPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	// permissionActions are the actions AddPermission may grant (the API reference's list).
	permissionActions = map[string]bool{"*": true, "SendMessage": true, "ReceiveMessage": true, "DeleteMessage": true,
		"ChangeMessageVisibility": true, "GetQueueAttributes": true, "GetQueueUrl": true, "ListDeadLetterSourceQueues": true,
		"PurgeQueue": true, "ListQueueTags": true}
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
)

func (s *Service) readPolicy(attrs map[string]string) (policy, []statement, error) {
	p := policy{Version: "2012-10-17"}
	raw := attrs["Policy"]
	if raw == "" {
		return p, nil, nil
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, nil, ErrInvalidParameterValue.Errorf("The queue's Policy is not a valid policy document.")
	}
	var sids []statement
	for _, st := range p.Statement {
		var one statement
		json.Unmarshal(st, &one)
		sids = append(sids, one)
	}
	return p, sids, nil
}

// AddPermission adds a statement labelled Label to the queue's policy that allows the accounts
// the actions. (Policies are enforced once IAM evaluates them; today they are stored and returned.)
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*Empty, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	switch {
	case in.Label == "":
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter Label.")
	case !labelPattern.MatchString(in.Label):
		return nil, ErrInvalidParameterValue.Errorf("Value %s for parameter Label is invalid. Reason: Must be up to 80 alphanumeric characters, hyphens or underscores.", in.Label)
	case len(in.AWSAccountIds) == 0:
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter AWSAccountIds.")
	case len(in.Actions) == 0:
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter Actions.")
	}
	var principals, actions []string
	for _, a := range in.AWSAccountIds {
		if !accountPattern.MatchString(a) {
			return nil, ErrInvalidParameterValue.Errorf("Value %s for parameter AWSAccountId is invalid.", a)
		}
		principals = append(principals, "arn:aws:iam::"+a+":root")
	}
	for _, a := range in.Actions {
		if !permissionActions[strings.TrimPrefix(a, "SQS:")] {
			return nil, ErrInvalidParameterValue.Errorf("Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.", a)
		}
		actions = append(actions, "SQS:"+strings.TrimPrefix(a, "SQS:"))
	}
	p, existing, err := s.readPolicy(q.Attributes)
	if err != nil {
		return nil, err
	}
	for _, st := range existing {
		if st.Sid == in.Label {
			return nil, ErrInvalidParameterValue.Errorf("Value %s for parameter Label is invalid. Reason: Already exists.", in.Label)
		}
	}
	arn := s.arn(q.Account, q.Name)
	if p.ID == "" {
		p.ID = arn + "/SQSDefaultPolicy"
	}
	st, _ := json.Marshal(statement{Sid: in.Label, Effect: "Allow", Principal: map[string][]string{"AWS": principals}, Action: actions, Resource: arn})
	p.Statement = append(p.Statement, st)
	return s.savePolicy(ctx, q.Account, q.Name, p)
}

// RemovePermission removes the statement labelled Label from the queue's policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*Empty, error) {
	q, err := s.queue(ctx, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.Label == "" {
		return nil, ErrMissingParameter.Errorf("The request must contain the parameter Label.")
	}
	p, existing, err := s.readPolicy(q.Attributes)
	if err != nil {
		return nil, err
	}
	kept := p.Statement[:0]
	found := false
	for i, st := range existing {
		if st.Sid == in.Label {
			found = true
			continue
		}
		kept = append(kept, p.Statement[i])
	}
	if !found {
		return nil, ErrInvalidParameterValue.Errorf("Value %s for parameter Label is invalid. Reason: can't find label on existing policy.", in.Label)
	}
	p.Statement = kept
	return s.savePolicy(ctx, q.Account, q.Name, p)
}

func (s *Service) savePolicy(ctx context.Context, account, name string, p policy) (*Empty, error) {
	q, err := s.store.Queue(ctx, account, name) // re-read: the cache may hold an older copy
	if err != nil {
		return nil, err
	}
	if len(p.Statement) == 0 {
		delete(q.Attributes, "Policy")
	} else {
		b, _ := json.Marshal(p)
		q.Attributes["Policy"] = string(b)
	}
	q.Modified = s.clock.Now()
	return &Empty{}, s.updateQueue(ctx, q)
}
