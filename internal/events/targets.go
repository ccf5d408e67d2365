package events

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

// maxTargetsPerRule is AWS's quota of targets on one rule.
const maxTargetsPerRule = 5

var placeholderRE = regexp.MustCompile(`<([^<>]*)>`)

// predefined are the placeholders every input template may use.
var predefined = map[string]bool{
	"aws.events.rule-arn": true, "aws.events.rule-name": true, "aws.events.event.ingestion-time": true,
	"aws.events.event": true, "aws.events.event.json": true,
}

// checkTarget validates one target as PutTargets does.
func checkTarget(t *Target) error {
	if !nameRE.MatchString(t.Id) {
		return validation("1 validation error detected: Value '%s' at 'targets.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", t.Id)
	}
	if t.Arn == "" || len(t.Arn) > 1600 {
		return validation("Parameter Arn is not valid for target %s.", t.Id)
	}
	if !deliverable(t.Arn) {
		return validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.Arn)
	}
	given := 0
	for _, set := range []bool{t.Input != "", t.InputPath != "", t.InputTransformer != nil} {
		if set {
			given++
		}
	}
	if given > 1 {
		return validation("Only one of Input, InputPath, or InputTransformer must be provided.")
	}
	if t.Input != "" && (len(t.Input) > 8192 || !json.Valid([]byte(t.Input))) {
		return validation("Target %s has invalid Input: it must be valid JSON.", t.Id)
	}
	if t.InputPath != "" && (len(t.InputPath) > 256 || !validPath(t.InputPath)) {
		return validation("Target %s has invalid InputPath.", t.Id)
	}
	if tr := t.InputTransformer; tr != nil {
		if err := checkTransformer(t.Id, tr); err != nil {
			return err
		}
	}
	if p := t.RetryPolicy; p != nil {
		if n := p.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 185) {
			return validation("MaximumRetryAttempts must be between 0 and 185.")
		}
		if n := p.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 86400) {
			return validation("MaximumEventAgeInSeconds must be between 60 and 86400.")
		}
	}
	if dl := t.DeadLetterConfig; dl != nil && dl.Arn != "" && !strings.HasPrefix(dl.Arn, "arn:aws:sqs:") {
		return validation("Parameter DeadLetterConfig.Arn is not valid: it must be an SQS queue ARN.")
	}
	if sq := t.SqsParameters; sq != nil && len(sq.MessageGroupId) > 100 {
		return validation("MessageGroupId must be at most 100 characters.")
	}
	return nil
}

// deliverable reports whether an ARN names a kind of target gureum delivers to: an SQS queue,
// an SNS topic, a Lambda function, an event bus, a CloudWatch Logs log group. AWS's other
// target kinds (Kinesis, Step Functions, ECS, Batch, …) name services gureum does not have.
func deliverable(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[3] == "" || !accountRE.MatchString(parts[4]) || parts[5] == "" {
		return false
	}
	res := parts[5]
	switch parts[2] {
	case "sqs", "sns":
		return !strings.ContainsAny(res, ":/")
	case "lambda":
		return strings.HasPrefix(res, "function:")
	case "events":
		return strings.HasPrefix(res, "event-bus/")
	case "logs":
		_, _, ok := logGroupOf(arn)
		return ok
	}
	return false
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

func checkTransformer(id string, tr *InputTransformer) error {
	if tr.InputTemplate == "" || len(tr.InputTemplate) > 8192 {
		return validation("InputTemplate for target %s must be 1 to 8192 characters.", id)
	}
	if len(tr.InputPathsMap) > 100 {
		return validation("InputPathsMap for target %s has more than 100 entries.", id)
	}
	for k, p := range tr.InputPathsMap {
		if strings.HasPrefix(k, "AWS.") || strings.HasPrefix(k, "aws.") || k == "" {
			return validation("InputPathsMap for target %s contains invalid key %s.", id, k)
		}
		if !validPath(p) {
			return validation("InputPathsMap for target %s contains invalid path %s.", id, p)
		}
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(tr.InputTemplate, -1) {
		if _, ok := tr.InputPathsMap[m[1]]; !ok && !predefined[m[1]] {
			return validation("InputTemplate for target %s contains invalid placeholder %s.", id, m[1])
		}
	}
	return nil
}

// PutTargets adds or replaces targets of a rule; entries that fail are reported, not raised.
func (s *Service) PutTargets(ctx context.Context, in *PutTargetsInput) (*PutTargetsOutput, error) {
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	for i := range in.Targets {
		if err := checkTarget(&in.Targets[i]); err != nil {
			return nil, err
		}
	}
	account, bus := busOf(ctx, in.EventBusName)
	out := &PutTargetsOutput{FailedEntries: []TargetFailure{}}
	err := s.saveRule(ctx, account, bus, in.Rule, false, func(d *ruleDoc, _ bool) error {
		out.FailedEntries = out.FailedEntries[:0]
		for _, t := range in.Targets {
			i := targetIndex(d.Targets, t.Id)
			if i < 0 && len(d.Targets) >= maxTargetsPerRule {
				out.FailedEntries = append(out.FailedEntries, TargetFailure{TargetId: t.Id, ErrorCode: "LimitExceededException",
					ErrorMessage: "The requested resource exceeds the maximum number allowed."})
				continue
			}
			if i < 0 {
				d.Targets = append(d.Targets, t)
			} else {
				d.Targets[i] = t
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

func targetIndex(ts []Target, id string) int {
	for i, t := range ts {
		if t.Id == id {
			return i
		}
	}
	return -1
}

// RemoveTargets removes targets from a rule by id; unknown ids are ignored, as AWS does.
func (s *Service) RemoveTargets(ctx context.Context, in *RemoveTargetsInput) (*PutTargetsOutput, error) {
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return nil, validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1")
	}
	account, bus := busOf(ctx, in.EventBusName)
	err := s.saveRule(ctx, account, bus, in.Rule, false, func(d *ruleDoc, _ bool) error {
		kept := d.Targets[:0]
		for _, t := range d.Targets {
			if !contains(in.Ids, t.Id) {
				kept = append(kept, t)
			}
		}
		d.Targets = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &PutTargetsOutput{FailedEntries: []TargetFailure{}}, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// ListTargetsByRule lists a rule's targets.
func (s *Service) ListTargetsByRule(ctx context.Context, in *ListTargetsByRuleInput) (*ListTargetsByRuleOutput, error) {
	account, bus := busOf(ctx, in.EventBusName)
	_, d, err := s.rule(ctx, account, bus, in.Rule)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(d.Targets))
	byID := map[string]Target{}
	for _, t := range d.Targets {
		ids = append(ids, t.Id)
		byID[t.Id] = t
	}
	page, next, err := paginate(ids, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &ListTargetsByRuleOutput{Targets: []Target{}, NextToken: next}
	for _, id := range page {
		out.Targets = append(out.Targets, byID[id])
	}
	return out, nil
}
