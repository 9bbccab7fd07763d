from .models import Proposal
from .services import may_propose


def proposals_panel(request):
    """A coordinator's or manager's practices proposed to the library, and what became of them."""
    if not may_propose(request.user):
        return None
    return {"proposals": list(Proposal.objects.filter(proposer=request.user)[:5])}
