echo ""
