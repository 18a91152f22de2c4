package revoke

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/leakstop/leakstop/scanner/outcome"
)

// awsProvider verifies access keys with STS GetCallerIdentity, signed by the AWS SDK with the
// key id and the secret access key found beside it, and deactivates them with IAM
// UpdateAccessKey (Status Inactive, reversible), using operator credentials from the standard
// AWS_* variables, or the leaked key itself when none are set (providers.md §7).
type awsProvider struct {
	c        *Client
	base     string // LEAKSTOP_AWS_URL: one endpoint for STS and IAM (tests)
	env      Env
	adminID  string
	adminKey string
	adminTok string
	profile  string
}

// newAWS returns the AWS provider.
func newAWS(cfg Config) *awsProvider {
	return &awsProvider{
		c:        cfg.Client,
		base:     baseURL(cfg.Env, "aws", ""),
		env:      cfg.Env,
		adminID:  cfg.value("AWS_ACCESS_KEY_ID"),
		adminKey: cfg.value("AWS_SECRET_ACCESS_KEY"),
		adminTok: cfg.value("AWS_SESSION_TOKEN"),
		profile:  cfg.value("AWS_PROFILE"),
	}
}

const awsRemedy = "deactivate and delete the access key in the IAM console at https://console.aws.amazon.com/iam/home#/users (the user's Security credentials), then check CloudTrail for its use"

// awsOperator is what the AWS_* credentials leakstop revokes with must be.
const awsOperator = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"

// Remediation says what to do by hand.
func (a *awsProvider) Remediation(s Secret) string {
	if strings.HasPrefix(s.Value, "ASIA") {
		return "temporary credentials cannot be deactivated: revoke the role's active sessions at https://console.aws.amazon.com/iam/home#/roles (the role's Revoke active sessions), or deactivate the parent user's key"
	}
	return awsRemedy
}

// awsConfig builds an SDK configuration that sends through the shared client (audit log,
// concurrency limit) and retries with the client's backoff.
func (a *awsProvider) awsConfig(creds aws.CredentialsProvider, s *Secret, action string) aws.Config {
	attempts := a.c.maxRetries() + 1
	return aws.Config{
		Region:      "us-east-1",
		Credentials: creds,
		// UpdateAccessKey, the one changing call, sets a state (Inactive): sending it twice
		// does what once does.
		HTTPClient: a.c.sdkClient(meta{provider: "aws", action: action, secret: s, idempotent: action == "revoke"}, false),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
					return a.c.backoff(attempt - 1), nil
				})
			})
		},
	}
}

func (a *awsProvider) sts(creds aws.CredentialsProvider, s *Secret, action string) *sts.Client {
	return sts.NewFromConfig(a.awsConfig(creds, s, action), func(o *sts.Options) {
		if a.base != "" {
			o.BaseEndpoint = aws.String(a.base)
		}
	})
}

func (a *awsProvider) iam(creds aws.CredentialsProvider, s *Secret) *iam.Client {
	return iam.NewFromConfig(a.awsConfig(creds, s, "revoke"), func(o *iam.Options) {
		if a.base != "" {
			o.BaseEndpoint = aws.String(a.base)
		}
	})
}

func leakedCreds(s Secret) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.Value, s.Companion, "")
}

// identity is what STS says of a key.
type identity struct {
	Account, Arn string
}

func (a *awsProvider) whoami(ctx context.Context, creds aws.CredentialsProvider, s *Secret, action string) (identity, error) {
	out, err := a.sts(creds, s, action).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return identity{}, err
	}
	return identity{Account: aws.ToString(out.Account), Arn: aws.ToString(out.Arn)}, nil
}

func apiCode(err error) (code, msg string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

// Verify calls STS GetCallerIdentity with the key id and the secret beside it.
func (a *awsProvider) Verify(ctx context.Context, s Secret) (Outcome, error) {
	if s.Companion == "" {
		// A JSON report carries the secret access key only when written with the secrets
		// shown; a scan always has it (the rule requires the pair).
		return Outcome{Status: outcome.Skipped, Detail: "the secret access key beside the key id is not known (the report holds it redacted), so STS cannot be asked; verify it while scanning, which reads both, or from a report that shows the secrets"}, nil
	}
	id, err := a.whoami(ctx, leakedCreds(s), &s, "verify")
	if err == nil {
		return Outcome{Status: outcome.Live, Detail: "STS: " + id.Arn}, nil
	}
	code, msg := apiCode(err)
	switch code {
	case "InvalidClientTokenId", "ExpiredToken":
		return Outcome{Status: outcome.Invalid, Detail: "STS: " + code + ": " + msg}, nil
	case "SignatureDoesNotMatch":
		return Outcome{Status: outcome.Invalid, Detail: "STS: the key id exists but the secret beside it is not its secret"}, nil
	case "":
		return Outcome{}, a.c.safeError("asking STS", err)
	}
	return Outcome{Status: outcome.Unknown, Detail: "STS: " + code + ": " + msg}, nil
}

// operator returns the operator's credentials, or nil when none are set.
func (a *awsProvider) operator(ctx context.Context) (aws.CredentialsProvider, error) {
	if a.adminID != "" && a.adminKey != "" {
		return credentials.NewStaticCredentialsProvider(a.adminID, a.adminKey, a.adminTok), nil
	}
	if a.profile != "" {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(a.profile), config.WithRegion("us-east-1"))
		if err != nil {
			return nil, fmt.Errorf("loading AWS profile %s: %w", a.profile, err)
		}
		return cfg.Credentials, nil
	}
	return nil, nil
}

// Revoke sets the key Inactive with IAM UpdateAccessKey.
func (a *awsProvider) Revoke(ctx context.Context, s Secret, dryRun bool) (Outcome, error) {
	if !strings.HasPrefix(s.Value, "AKIA") {
		return Outcome{Status: outcome.Unsupported, Detail: a.Remediation(s)}, nil
	}
	if s.Companion == "" {
		return Outcome{Status: outcome.Failed, Detail: "no secret access key beside the key id: " + awsRemedy}, nil
	}
	leaked, err := a.whoami(ctx, leakedCreds(s), &s, "lookup")
	if err != nil {
		code, msg := apiCode(err)
		return Outcome{Status: outcome.Failed, Detail: "asking STS who owns the key: " + code + " " + msg}, nil
	}
	op, err := a.operator(ctx)
	if err != nil {
		return Outcome{}, a.c.safeError("reading AWS credentials", err)
	}
	creds, whose := leakedCreds(s), "the leaked key itself"
	if op != nil {
		admin, err := a.whoami(ctx, op, &s, "lookup")
		if err != nil {
			code, msg := apiCode(err)
			return Outcome{Status: outcome.Failed, Detail: "asking STS who the AWS_* credentials are: " + code + " " + msg}, nil
		}
		if admin.Account != leaked.Account {
			out := Outcome{Status: outcome.NeedsCredential, Detail: credentialHint(awsOperator, "credentials of account "+leaked.Account+" allowed iam:UpdateAccessKey", awsRemedy)}
			out.Detail = fmt.Sprintf("the key belongs to account %s, the AWS_* credentials to %s: nothing changed; %s", leaked.Account, admin.Account, out.Detail)
			return out, nil
		}
		creds, whose = op, "the AWS_* credentials"
	}
	in := &iam.UpdateAccessKeyInput{AccessKeyId: aws.String(s.Value), Status: iamtypes.StatusTypeInactive}
	user := ""
	if i := strings.Index(leaked.Arn, ":user/"); i >= 0 {
		p := leaked.Arn[i+len(":user/"):]
		user = p[strings.LastIndexByte(p, '/')+1:]
		in.UserName = aws.String(user)
	}
	what := fmt.Sprintf("access key of %s set Inactive with %s", leaked.Arn, whose)
	if dryRun {
		return Outcome{Status: outcome.DryRun, Detail: "would have the " + what}, nil
	}
	if _, err := a.iam(creds, &s).UpdateAccessKey(ctx, in); err != nil {
		code, msg := apiCode(err)
		if code == "AccessDenied" && op == nil {
			out := Outcome{Status: outcome.NeedsCredential, Detail: credentialHint(awsOperator, "credentials of account "+leaked.Account+" allowed iam:UpdateAccessKey", awsRemedy)}
			out.Detail = "the key may not deactivate itself (AccessDenied); " + out.Detail
			return out, nil
		}
		if code == "" {
			return Outcome{}, a.c.safeError("IAM UpdateAccessKey", err)
		}
		return Outcome{Status: outcome.Failed, Detail: "IAM UpdateAccessKey: " + code + ": " + msg}, nil
	}
	return Outcome{Status: outcome.Revoked, Detail: what, Eventual: true}, nil
}
