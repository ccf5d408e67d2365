package organizations

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/iam"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/store"
)

// Timestamp is a time as AWS JSON protocols write it: seconds since 1970.
type Timestamp time.Time

// MarshalJSON writes the seconds, with milliseconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(time.Time(t).UnixMilli()) / 1000)
}

// Account is Organizations' Account shape.
type Account struct {
	Id              string
	Arn             string
	Name            string
	Email           string `json:",omitempty"`
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp Timestamp
}

// CreateAccountStatus is the status of a CreateAccount request; gureum completes it at once.
type CreateAccountStatus struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp Timestamp
	CompletedTimestamp Timestamp
	AccountId          string
}

// RootCredentials are a new account's root access key (gureum's extension of CreateAccount).
type RootCredentials struct {
	AccountId       string
	AccessKeyId     string
	SecretAccessKey string
}

// CreateAccountInput creates an account.
type CreateAccountInput struct {
	AccountName string
	Email       string
}

// CreateAccountOutput is AWS's answer, and the new root key in GureumRootCredentials.
type CreateAccountOutput struct {
	CreateAccountStatus   CreateAccountStatus
	GureumRootCredentials RootCredentials
}

var emailRule = regexp.MustCompile(`^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$`)

// CreateAccount makes an account with its own id and root key.
func (s *Service) CreateAccount(ctx context.Context, in *CreateAccountInput) (*CreateAccountOutput, error) {
	if err := s.management(ctx); err != nil {
		return nil, err
	}
	if n := len(in.AccountName); n < 1 || n > 50 {
		return nil, ErrInvalidInput.Errorf("You provided a value that does not match the required pattern: AccountName must be 1 to 50 characters.")
	}
	if in.Email != "" && !emailRule.MatchString(in.Email) {
		return nil, ErrInvalidInput.Errorf("You provided a value that does not match the required pattern: Email.")
	}
	now := s.d.Clock.Now().UTC()
	var id string
	for {
		id = newAccountID()
		err := s.d.Store.CreateAccount(ctx, store.Account{ID: id, Name: in.AccountName, Created: now})
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrExists) {
			return nil, err
		}
	}
	root := RootCredentials{AccountId: id, AccessKeyId: iam.NewAccessKeyID("AKIA"), SecretAccessKey: iam.NewSecret()}
	if err := s.d.Store.PutAccessKey(ctx, store.AccessKey{ID: root.AccessKeyId, Secret: root.SecretAccessKey, Account: id,
		PrincipalARN: "arn:aws:iam::" + id + ":root", UserID: id, Created: now}); err != nil {
		return nil, err
	}
	return &CreateAccountOutput{CreateAccountStatus: status(id, in.AccountName, now), GureumRootCredentials: root}, nil
}

func status(id, name string, at time.Time) CreateAccountStatus {
	return CreateAccountStatus{Id: "car-" + id, AccountName: name, State: "SUCCEEDED", RequestedTimestamp: Timestamp(at),
		CompletedTimestamp: Timestamp(at), AccountId: id}
}

// newAccountID returns 12 random digits, not starting with 0.
func newAccountID() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9e11))
	return fmt.Sprintf("%012d", n.Int64()+1e11)
}

// management refuses every caller but the management account's root.
func (s *Service) management(ctx context.Context) error {
	p := request.From(ctx).Principal
	if p == nil || !p.Root || p.Account != s.d.Management {
		return ErrAccessDenied.Errorf("You don't have permissions to access this resource.")
	}
	return nil
}

// DescribeCreateAccountStatusInput names a CreateAccount request.
type DescribeCreateAccountStatusInput struct{ CreateAccountRequestId string }

// DescribeCreateAccountStatusOutput is its status.
type DescribeCreateAccountStatusOutput struct{ CreateAccountStatus CreateAccountStatus }

// DescribeCreateAccountStatus reports a CreateAccount request, which is always complete.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, in *DescribeCreateAccountStatusInput) (*DescribeCreateAccountStatusOutput, error) {
	if err := s.management(ctx); err != nil {
		return nil, err
	}
	id, ok := strings.CutPrefix(in.CreateAccountRequestId, "car-")
	a, err := s.account(ctx, id)
	if !ok || err != nil {
		return nil, ErrCreateAccountNotFound.Errorf("We can't find a create account request with the CreateAccountRequestId that you specified.")
	}
	return &DescribeCreateAccountStatusOutput{CreateAccountStatus: status(a.ID, a.Name, a.Created)}, nil
}

func (s *Service) account(ctx context.Context, id string) (store.Account, error) {
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return store.Account{}, &store.Error{Op: "organizations.account", Kind: store.ErrNotFound}
	}
	return s.d.Store.Account(ctx, id)
}

// DescribeAccountInput names an account.
type DescribeAccountInput struct{ AccountId string }

// DescribeAccountOutput describes it.
type DescribeAccountOutput struct{ Account Account }

// DescribeAccount describes one account of the organization.
func (s *Service) DescribeAccount(ctx context.Context, in *DescribeAccountInput) (*DescribeAccountOutput, error) {
	if err := s.management(ctx); err != nil {
		return nil, err
	}
	a, err := s.account(ctx, in.AccountId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrAccountNotFound.Errorf("You specified an account that doesn't exist.")
	}
	if err != nil {
		return nil, err
	}
	return &DescribeAccountOutput{Account: s.shape(a)}, nil
}

func (s *Service) shape(a store.Account) Account {
	method := "CREATED"
	if a.ID == s.d.Management {
		method = "INVITED" // the management account founded the organization
	}
	return Account{Id: a.ID, Arn: s.accountARN(a.ID), Name: a.Name, Status: "ACTIVE", State: "ACTIVE", JoinedMethod: method,
		JoinedTimestamp: Timestamp(a.Created)}
}

// ListAccountsInput pages through the accounts.
type ListAccountsInput struct {
	NextToken  string
	MaxResults int
}

// ListAccountsOutput is a page.
type ListAccountsOutput struct {
	Accounts  []Account
	NextToken string `json:",omitempty"`
}

// ListAccounts lists the organization's accounts by id, 20 a page unless MaxResults says fewer.
func (s *Service) ListAccounts(ctx context.Context, in *ListAccountsInput) (*ListAccountsOutput, error) {
	if err := s.management(ctx); err != nil {
		return nil, err
	}
	max := in.MaxResults
	if max == 0 {
		max = 20
	}
	if max < 1 || max > 20 {
		return nil, ErrInvalidInput.Errorf("You provided a value that does not match the required pattern: MaxResults must be 1 to 20.")
	}
	all, err := s.d.Store.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := &ListAccountsOutput{Accounts: []Account{}}
	for _, a := range all {
		if a.ID <= in.NextToken {
			continue
		}
		if len(out.Accounts) == max {
			out.NextToken = out.Accounts[max-1].Id
			break
		}
		out.Accounts = append(out.Accounts, s.shape(a))
	}
	return out, nil
}

// Organization is Organizations' Organization shape.
type Organization struct {
	Id               string
	Arn              string
	FeatureSet       string
	MasterAccountArn string
	MasterAccountId  string
}

// DescribeOrganizationInput is empty.
type DescribeOrganizationInput struct{}

// DescribeOrganizationOutput describes the organization every account belongs to.
type DescribeOrganizationOutput struct{ Organization Organization }

// DescribeOrganization describes the organization: one, led by the management account.
func (s *Service) DescribeOrganization(ctx context.Context, _ *DescribeOrganizationInput) (*DescribeOrganizationOutput, error) {
	return &DescribeOrganizationOutput{Organization: Organization{Id: s.orgID(), Arn: s.orgARN(), FeatureSet: "ALL",
		MasterAccountArn: "arn:aws:organizations::" + s.d.Management + ":account/" + s.orgID() + "/" + s.d.Management,
		MasterAccountId:  s.d.Management}}, nil
}
