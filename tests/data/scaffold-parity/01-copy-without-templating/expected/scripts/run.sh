echo "${{ github.sha }}"
