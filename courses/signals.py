from django.dispatch import Signal

# Sent once, after the transaction commits, when an enrolment becomes completed.
# Arguments: enrollment_id. The certificates app listens to it.
enrollment_completed = Signal()
