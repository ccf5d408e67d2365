package organizations

import "github.com/gureum/gureum/internal/awserr"

// Organizations' error codes used here.
var (
	ErrAccessDenied          = &awserr.Code{Name: "AccessDeniedException", Status: 400}
	ErrAccountNotFound       = &awserr.Code{Name: "AccountNotFoundException", Status: 400}
	ErrCreateAccountNotFound = &awserr.Code{Name: "CreateAccountStatusNotFoundException", Status: 400}
	ErrInvalidInput          = &awserr.Code{Name: "InvalidInputException", Status: 400}
)
