from django.shortcuts import get_object_or_404, render

from .models import Network, Visibility


def network_list(request):
    networks = Network.objects.filter(visibility=Visibility.PUBLIC)
    return render(request, "networks/network_list.html", {"networks": networks})


def network_detail(request, slug: str):
    network = get_object_or_404(Network, slug=slug, visibility=Visibility.PUBLIC)
    return render(request, "networks/network_detail.html", {"network": network})
