package cloudwatch

import "github.com/gureum/gureum/internal/awserr"

// CloudWatch's error codes: Name is the model's shape (the __type of the JSON and CBOR
// protocols), Query the query-compatible code the SDKs report (x-amzn-query-error).
var (
	ErrInvalidParameterValue       = &awserr.Code{Name: "InvalidParameterValueException", Query: "InvalidParameterValue", Status: 400}
	ErrInvalidParameterCombination = &awserr.Code{Name: "InvalidParameterCombinationException", Query: "InvalidParameterCombination", Status: 400}
	ErrMissingParameter            = &awserr.Code{Name: "MissingRequiredParameterException", Query: "MissingParameter", Status: 400}
	ErrResourceNotFound            = &awserr.Code{Name: "ResourceNotFound", Status: 404}
	ErrResourceNotFoundException   = &awserr.Code{Name: "ResourceNotFoundException", Status: 404}
	ErrInvalidFormat               = &awserr.Code{Name: "InvalidFormatFault", Query: "InvalidFormat", Status: 400}
	ErrInvalidNextToken            = &awserr.Code{Name: "InvalidNextToken", Status: 400}
	ErrLimitExceeded               = &awserr.Code{Name: "LimitExceededFault", Query: "LimitExceeded", Status: 400}
	ErrInternal                    = &awserr.Code{Name: "InternalServiceFault", Query: "InternalServiceError", Status: 500, Receiver: true}
)

func missing(name string) error {
	return ErrMissingParameter.Errorf("The parameter %s is required.", name)
}

func invalid(format string, args ...any) error {
	return ErrInvalidParameterValue.Errorf(format, args...)
}

// notFound reports whether err is an alarm-not-found error.
func notFound(err error) bool {
	return err != nil && awserr.As(err).Code == ErrResourceNotFound
}
