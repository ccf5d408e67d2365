package sqs

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	iampolicy "github.com/gureum/gureum/internal/iam/policy"
)

// Limits and defaults from the SQS developer guide's quotas pages.
const (
	maxMessageSize       = 1 << 20 // 1 MiB
	maxBatchEntries      = 10
	maxMessageAttributes = 10
	maxVisibilityTimeout = 12 * 60 * 60
	maxWaitSeconds       = 20
	maxDelaySeconds      = 900
	dedupWindow          = 5 * time.Minute
	purgeInterval        = 60 * time.Second
	recreateDelay        = 60 * time.Second
)

var defaults = map[string]string{
	"VisibilityTimeout":             "30",
	"MessageRetentionPeriod":        "345600",
	"DelaySeconds":                  "0",
	"MaximumMessageSize":            "1048576",
	"ReceiveMessageWaitTimeSeconds": "0",
	"SqsManagedSseEnabled":          "true",
}

var fifoDefaults = map[string]string{
	"FifoQueue":                 "true",
	"ContentBasedDeduplication": "false",
	"DeduplicationScope":        "queue",
	"FifoThroughputLimit":       "perQueue",
}

type intRange struct{ min, max int }

var intAttributes = map[string]intRange{
	"VisibilityTimeout":             {0, maxVisibilityTimeout},
	"MessageRetentionPeriod":        {60, 1209600},
	"DelaySeconds":                  {0, maxDelaySeconds},
	"MaximumMessageSize":            {1024, maxMessageSize},
	"ReceiveMessageWaitTimeSeconds": {0, maxWaitSeconds},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400},
}

var fifoOnly = map[string]bool{"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

// computed are the read-only attributes GetQueueAttributes adds.
var computed = []string{"QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
	"ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp"}

func invalidValue(name string) error {
	return ErrInvalidAttributeValue.Errorf("Invalid value for the parameter %s.", name)
}

// redrivePolicy is a queue's RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// parseRedrive accepts maxReceiveCount as a number or a string, as AWS does.
func parseRedrive(s string) (redrivePolicy, error) {
	var raw struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil || raw.DeadLetterTargetArn == "" {
		return redrivePolicy{}, ErrInvalidParameterValue.Errorf("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.", s)
	}
	n, err := strconv.Atoi(strings.Trim(string(raw.MaxReceiveCount), `"`))
	if err != nil || n < 1 || n > 1000 {
		return redrivePolicy{}, ErrInvalidParameterValue.Errorf("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", s, raw.MaxReceiveCount)
	}
	return redrivePolicy{DeadLetterTargetArn: raw.DeadLetterTargetArn, MaxReceiveCount: n}, nil
}

func (p redrivePolicy) String() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// validateAttributes checks settable attributes for a queue of the given type and returns them
// normalised. creating allows FifoQueue.
func validateAttributes(in map[string]string, fifo, creating bool) (map[string]string, error) {
	out := map[string]string{}
	for name, v := range in {
		if !validBody(v) { // text a JSON response could not carry unchanged (the query protocol lets any byte in)
			return nil, invalidValue(name)
		}
		if r, ok := intAttributes[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < r.min || n > r.max {
				return nil, invalidValue(name)
			}
			out[name] = strconv.Itoa(n)
			continue
		}
		if fifoOnly[name] && !fifo {
			return nil, ErrInvalidAttributeName.Errorf("Unknown Attribute %s.", name)
		}
		switch name {
		case "FifoQueue":
			if !creating || (v == "true") != fifo || (v != "true" && v != "false") {
				return nil, invalidValue(name)
			}
			if fifo {
				out[name] = "true"
			}
		case "ContentBasedDeduplication", "SqsManagedSseEnabled":
			if v != "true" && v != "false" {
				return nil, invalidValue(name)
			}
			out[name] = v
		case "DeduplicationScope":
			if v != "messageGroup" && v != "queue" {
				return nil, invalidValue(name)
			}
			out[name] = v
		case "FifoThroughputLimit":
			if v != "perQueue" && v != "perMessageGroupId" {
				return nil, invalidValue(name)
			}
			out[name] = v
		case "RedrivePolicy":
			if v == "" {
				out[name] = ""
				continue
			}
			p, err := parseRedrive(v)
			if err != nil {
				return nil, err
			}
			out[name] = p.String()
		case "Policy", "RedriveAllowPolicy":
			if v != "" && !json.Valid([]byte(v)) {
				return nil, ErrInvalidAttributeValue.Errorf("Invalid value for the parameter %s. Reason: not a valid JSON document.", name)
			}
			if name == "Policy" && v != "" {
				if _, err := iampolicy.Parse(v, iampolicy.Resource); err != nil {
					return nil, ErrInvalidAttributeValue.Errorf("Invalid value for the parameter Policy. Reason: %s", err)
				}
			}
			if name == "RedriveAllowPolicy" && v != "" {
				if err := checkRedriveAllow(v); err != nil {
					return nil, err
				}
			}
			out[name] = v
		case "KmsMasterKeyId":
			out[name] = v
		default:
			return nil, ErrInvalidAttributeName.Errorf("Unknown Attribute %s.", name)
		}
	}
	return out, nil
}

func checkRedriveAllow(v string) error {
	var p struct {
		RedrivePermission string   `json:"redrivePermission"`
		SourceQueueArns   []string `json:"sourceQueueArns"`
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return ErrInvalidAttributeValue.Errorf("Invalid value for the parameter RedriveAllowPolicy.")
	}
	switch p.RedrivePermission {
	case "allowAll", "denyAll":
	case "byQueue":
		if len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > 10 {
			return ErrInvalidAttributeValue.Errorf("Invalid value for the parameter RedriveAllowPolicy. Reason: byQueue needs 1 to 10 sourceQueueArns.")
		}
	default:
		return ErrInvalidAttributeValue.Errorf("Invalid value for the parameter RedriveAllowPolicy. Reason: redrivePermission must be allowAll, denyAll or byQueue.")
	}
	return nil
}

// withDefaults fills in the defaults for a new queue.
func withDefaults(attrs map[string]string, fifo bool) map[string]string {
	out := map[string]string{}
	for k, v := range defaults {
		out[k] = v
	}
	if fifo {
		for k, v := range fifoDefaults {
			out[k] = v
		}
	}
	for k, v := range attrs {
		out[k] = v
	}
	if out["KmsMasterKeyId"] != "" {
		out["SqsManagedSseEnabled"] = "false"
		if out["KmsDataKeyReusePeriodSeconds"] == "" {
			out["KmsDataKeyReusePeriodSeconds"] = "300"
		}
	}
	for k, v := range out {
		if v == "" {
			delete(out, k)
		}
	}
	return out
}

// config is a queue's attributes, parsed.
type config struct {
	visibility, retention, delay, wait time.Duration
	maxSize                            int
	redrive                            *redrivePolicy
	contentDedup, groupDedupScope      bool
}

func seconds(attrs map[string]string, name string) time.Duration {
	n, _ := strconv.Atoi(attrs[name])
	return time.Duration(n) * time.Second
}

func parseConfig(attrs map[string]string) config {
	c := config{
		visibility: seconds(attrs, "VisibilityTimeout"),
		retention:  seconds(attrs, "MessageRetentionPeriod"),
		delay:      seconds(attrs, "DelaySeconds"),
		wait:       seconds(attrs, "ReceiveMessageWaitTimeSeconds"),
	}
	c.maxSize, _ = strconv.Atoi(attrs["MaximumMessageSize"])
	if rp := attrs["RedrivePolicy"]; rp != "" {
		if p, err := parseRedrive(rp); err == nil {
			c.redrive = &p
		}
	}
	c.contentDedup = attrs["ContentBasedDeduplication"] == "true"
	c.groupDedupScope = attrs["DeduplicationScope"] == "messageGroup"
	return c
}

var queueNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// validQueueName checks the name rules; FIFO names end in .fifo, counted in the 80.
func validQueueName(name string) (fifo bool, err error) {
	base, fifo := strings.CutSuffix(name, ".fifo")
	if len(name) > 80 || !queueNamePattern.MatchString(base) {
		return false, ErrInvalidParameterValue.Errorf("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return fifo, nil
}
