package sns

import (
	"errors"

	"github.com/gureum/gureum/internal/awserr"
)

// SNS's error codes (botocore's sns 2010-03-31 model, error.code and httpStatusCode).
var (
	ErrInvalidParameter         = &awserr.Code{Name: "InvalidParameter", Status: 400}
	ErrParameterValueInvalid    = &awserr.Code{Name: "ParameterValueInvalid", Status: 400}
	ErrNotFound                 = &awserr.Code{Name: "NotFound", Status: 404}
	ErrResourceNotFound         = &awserr.Code{Name: "ResourceNotFound", Status: 404}
	ErrAuthorizationError       = &awserr.Code{Name: "AuthorizationError", Status: 403}
	ErrInternalError            = &awserr.Code{Name: "InternalError", Status: 500, Receiver: true}
	ErrTagLimitExceeded         = &awserr.Code{Name: "TagLimitExceeded", Status: 400}
	ErrTooManyEntries           = &awserr.Code{Name: "TooManyEntriesInBatchRequest", Status: 400}
	ErrBatchEntryIdsNotDistinct = &awserr.Code{Name: "BatchEntryIdsNotDistinct", Status: 400}
	ErrBatchRequestTooLong      = &awserr.Code{Name: "BatchRequestTooLong", Status: 400}
	ErrEmptyBatchRequest        = &awserr.Code{Name: "EmptyBatchRequest", Status: 400}
	ErrInvalidBatchEntryId      = &awserr.Code{Name: "InvalidBatchEntryId", Status: 400}
)

// invalid is AWS's InvalidParameter with its "Invalid parameter: " prefix.
func invalid(format string, args ...any) error {
	return ErrInvalidParameter.Errorf("Invalid parameter: "+format, args...)
}

func topicNotFound() error { return ErrNotFound.Errorf("Topic does not exist") }

func subscriptionNotFound() error { return ErrNotFound.Errorf("Subscription does not exist") }

// hasCode reports whether err is an *awserr.Error of code c.
func hasCode(err error, c *awserr.Code) bool {
	var e *awserr.Error
	return errors.As(err, &e) && e.Code == c
}
